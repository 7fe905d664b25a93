// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// libopenen_java_test_support.so: what the Java tests need from native code that the JDK cannot
// give them, as native methods of org.openen.TestSupport:
// - jniGlobalReferences: how many JNI global references the JVM holds now, counted by JVMTI (the
//   JVM's own view, not the binding's bookkeeping): the heap roots of kind JNI_GLOBAL.
// - broadcastFromNativeThreads: calls openen_broadcast_payload on threads the JVM did not start,
//   so that the binding's callbacks (the client's TimeSource) arrive on them.
// - grpcCall: the upload flow's calls over real gRPC, as bytes (a unary call of raw byte buffers,
//   the call rpc::UnaryCall makes: the bytes are the library's, as an app's grpc-java would carry
//   them; no gRPC for Java is packaged in Debian). It links no protobuf code: libopenen.so registers OpenEN's messages in the
//   process's libprotobuf, and a second copy would collide.

#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/impl/rpc_method.h>
#include <grpcpp/grpcpp.h>
#include <jni.h>
#include <jvmti.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "openen/openen.h"

namespace {

jvmtiEnv* g_jvmti = nullptr;

jint JNICALL CountGlobal(jvmtiHeapReferenceKind kind, const jvmtiHeapReferenceInfo*, jlong, jlong, jlong,
                         jlong*, jlong*, jint, void* user_data) {
  if (kind == JVMTI_HEAP_REFERENCE_JNI_GLOBAL) ++*static_cast<int64_t*>(user_data);
  return 0;  // roots only: follow nothing
}

void ThrowStatus(JNIEnv* env, int code, const std::string& message) {
  jclass status = env->FindClass("org/openen/Status");
  jmethodID from_code = env->GetStaticMethodID(status, "fromCode", "(I)Lorg/openen/Status;");
  jobject s = env->CallStaticObjectMethod(status, from_code, code);
  if (env->ExceptionCheck()) return;
  jclass exception = env->FindClass("org/openen/OpenEnException");
  jmethodID ctor = env->GetMethodID(exception, "<init>", "(Lorg/openen/Status;Ljava/lang/String;)V");
  jstring text = env->NewStringUTF(message.c_str());
  env->Throw(static_cast<jthrowable>(env->NewObject(exception, ctor, s, text)));
}

// The verifier's and the relay's channels; a call goes to the one serving its method.
struct Channels {
  std::shared_ptr<grpc::Channel> verifier, relay;
};

std::string Utf(JNIEnv* env, jstring s) {
  const char* p = env->GetStringUTFChars(s, nullptr);
  std::string out(p);
  env->ReleaseStringUTFChars(s, p);
  return out;
}

}  // namespace

extern "C" {

JNIEXPORT jint JNI_OnLoad(JavaVM* vm, void*) {
  if (vm->GetEnv(reinterpret_cast<void**>(&g_jvmti), JVMTI_VERSION_1_2) != JNI_OK) return JNI_ERR;
  jvmtiCapabilities caps{};
  caps.can_tag_objects = 1;
  if (g_jvmti->AddCapabilities(&caps) != JVMTI_ERROR_NONE) return JNI_ERR;
  return JNI_VERSION_1_6;
}

JNIEXPORT jlong JNICALL Java_org_openen_TestSupport_jniGlobalReferences(JNIEnv* env, jclass) {
  jvmtiHeapCallbacks callbacks{};
  callbacks.heap_reference_callback = CountGlobal;
  int64_t count = 0;
  if (g_jvmti->FollowReferences(0, nullptr, nullptr, &callbacks, &count) != JVMTI_ERROR_NONE) {
    ThrowStatus(env, OPENEN_INTERNAL, "JVMTI FollowReferences failed");
    return -1;
  }
  return count;
}

// Calls openen_broadcast_payload |threads| times, each on a new native thread, one at a time;
// returns how many succeeded.
JNIEXPORT jint JNICALL Java_org_openen_TestSupport_broadcastFromNativeThreads(JNIEnv*, jclass, jlong client,
                                                                           jint threads) {
  int ok = 0;
  for (jint i = 0; i < threads; ++i) {
    std::thread([&] {
      uint8_t payload[OPENEN_ADVERTISEMENT_SIZE];
      if (openen_broadcast_payload(reinterpret_cast<openen_client*>(static_cast<intptr_t>(client)), payload,
                                   sizeof(payload), nullptr) == OPENEN_OK) {
        ++ok;
      }
    }).join();
  }
  return ok;
}

JNIEXPORT jlong JNICALL Java_org_openen_TestSupport_grpcOpen(JNIEnv* env, jclass, jstring verifier,
                                                             jstring relay) {
  auto* channels = new Channels{grpc::CreateChannel(Utf(env, verifier), grpc::InsecureChannelCredentials()),
                                grpc::CreateChannel(Utf(env, relay), grpc::InsecureChannelCredentials())};
  return static_cast<jlong>(reinterpret_cast<intptr_t>(channels));
}

JNIEXPORT void JNICALL Java_org_openen_TestSupport_grpcClose(JNIEnv*, jclass, jlong h) {
  delete reinterpret_cast<Channels*>(static_cast<intptr_t>(h));
}

JNIEXPORT jbyteArray JNICALL Java_org_openen_TestSupport_grpcCall(JNIEnv* env, jclass, jlong h, jstring jmethod,
                                                                 jbyteArray request) {
  std::vector<uint8_t> bytes(static_cast<size_t>(env->GetArrayLength(request)));
  env->GetByteArrayRegion(request, 0, static_cast<jsize>(bytes.size()), reinterpret_cast<jbyte*>(bytes.data()));
  const std::string method = Utf(env, jmethod);
  auto* channels = reinterpret_cast<Channels*>(static_cast<intptr_t>(h));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  grpc::Slice slice(bytes.data(), bytes.size());
  grpc::ByteBuffer sent(&slice, 1);
  grpc::ByteBuffer received;
  const grpc::internal::RpcMethod rpc(method.c_str(), grpc::internal::RpcMethod::NORMAL_RPC);
  const grpc::Status status = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
      (method.rfind("/openen.v1.Relay/", 0) == 0 ? channels->relay : channels->verifier).get(), rpc, &context,
      sent, &received);
  if (!status.ok()) {
    ThrowStatus(env, static_cast<int>(status.error_code()), status.error_message());
    return nullptr;
  }
  std::vector<grpc::Slice> slices;
  received.Dump(&slices);
  std::vector<uint8_t> body;
  for (const grpc::Slice& s : slices) body.insert(body.end(), s.begin(), s.end());
  jbyteArray out = env->NewByteArray(static_cast<jsize>(body.size()));
  env->SetByteArrayRegion(out, 0, static_cast<jsize>(body.size()), reinterpret_cast<const jbyte*>(body.data()));
  return out;
}

}  // extern "C"
