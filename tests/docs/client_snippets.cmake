# Compiles every code snippet of docs/client.md, and runs the C program among them. Run by CTest
# as `docs:client guide snippets compile and run`:
#   cmake -DDOC=<docs/client.md> -DWORK=<dir> -DSHIM=<tests/docs/android_api> -DJAVAC=<javac>
#         -DJAVA=<java> -DJNI_INCLUDE=<dir with jni.h> -DCC=<C compiler> -DOPENEN_INCLUDE=<dir>
#         -DLIBOPENEN=<libopenen.so> [-DSANITIZE=address,undefined] -P client_snippets.cmake
#
# A snippet is a fenced block whose info string is `c file=NAME`, `java file=NAME` or
# `xml file=NAME`; blocks with the same NAME are joined in the order they appear. Any other
# fenced block fails the check, so the guide holds no code that is not compiled.
# - Java: the Android snippets compile with javac -Xlint:all -Werror against tests/docs/android_api,
#   a shim of exactly the Android and androidx classes and methods they use (bodies throw). It
#   checks the snippets against those signatures, each copied from developer.android.com, and
#   not against the real Android SDK, which is not in Debian. javac -h writes the JNI header.
# - C: a file with main() is a program, compiled, linked against libopenen.so and run with a
#   fresh work directory; any other is a JNI library, compiled against openen.h, jni.h (the
#   JDK's; the NDK's declares the same JNI functions) and the header javac made, linked with
#   --no-undefined, and it must define every native method OpenEn.java declares. It then runs
#   in the JDK's JVM under -Xcheck:jni: JniRun.java calls every native method through it (with
#   the sanitizer runtimes preloaded when the build uses them); a JNI warning fails the test.
#   C's JNI types are all jobject, so a jintArray declared as jlongArray is not caught.
# - XML: must be well-formed.
cmake_minimum_required(VERSION 3.20)
foreach(var DOC WORK SHIM JAVAC JAVA JNI_INCLUDE CC OPENEN_INCLUDE LIBOPENEN)
  if(NOT ${var})
    message(FATAL_ERROR "client_snippets.cmake: -D${var}= is required")
  endif()
endforeach()

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/src ${WORK}/shim ${WORK}/classes ${WORK}/jni ${WORK}/run ${WORK}/jvm)

# Extraction. The text is walked with string(FIND), never split into a list: code holds ';'.
file(READ ${DOC} text)
set(files "")
set(blocks 0)
set(rest "${text}")
while(TRUE)
  string(FIND "${rest}" "```" open)
  if(open EQUAL -1)
    break()
  endif()
  math(EXPR after "${open} + 3")
  string(SUBSTRING "${rest}" ${after} -1 rest)
  string(FIND "${rest}" "\n" eol)
  string(SUBSTRING "${rest}" 0 ${eol} info)
  string(STRIP "${info}" info)
  if(NOT info MATCHES "^(c|java|xml) file=([A-Za-z0-9_.]+)$")
    message(FATAL_ERROR "a fenced block in ${DOC} is not a compiled snippet: ```${info}\n"
                        "(use ```c file=NAME, ```java file=NAME or ```xml file=NAME)")
  endif()
  set(name "${CMAKE_MATCH_2}")
  math(EXPR body_start "${eol} + 1")
  string(SUBSTRING "${rest}" ${body_start} -1 rest)
  string(FIND "${rest}" "\n```" close)
  if(close EQUAL -1)
    message(FATAL_ERROR "unclosed snippet ${name} in ${DOC}")
  endif()
  string(SUBSTRING "${rest}" 0 ${close} body)
  math(EXPR past "${close} + 4")
  string(SUBSTRING "${rest}" ${past} -1 rest)
  if(NOT name IN_LIST files)
    list(APPEND files ${name})
    file(WRITE ${WORK}/src/${name} "")
  else()
    file(APPEND ${WORK}/src/${name} "\n")
  endif()
  file(APPEND ${WORK}/src/${name} "${body}\n")
  math(EXPR blocks "${blocks} + 1")
endwhile()
if(blocks EQUAL 0)
  message(FATAL_ERROR "no snippets found in ${DOC}")
endif()
message(STATUS "${blocks} snippets in ${DOC}, files: ${files}")

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
  endif()
  if(out)
    message(STATUS "${what}:\n${out}")
  endif()
endfunction()

set(java_sources "")
set(jni_libraries "")
set(sep ":")
set(c_sources "")
set(xml_sources "")
foreach(name ${files})
  if(name MATCHES "\\.java$")
    list(APPEND java_sources ${WORK}/src/${name})
  elseif(name MATCHES "\\.c$")
    list(APPEND c_sources ${name})
  elseif(name MATCHES "\\.xml$")
    list(APPEND xml_sources ${WORK}/src/${name})
  else()
    message(FATAL_ERROR "snippet file ${name}: want .java, .c or .xml")
  endif()
endforeach()

# Java, against the shim.
file(GLOB_RECURSE shim_sources ${SHIM}/*.java)
run("javac (shim)" ${JAVAC} --release 11 -d ${WORK}/shim ${shim_sources})
if(java_sources)
  run("javac (snippets)" ${JAVAC} --release 11 -Xlint:all -Werror -cp ${WORK}/shim
      -d ${WORK}/classes -h ${WORK}/jni ${java_sources})
endif()

# XML: well-formed, checked by the JDK's parser.
foreach(xml ${xml_sources})
  run("xml ${xml}" ${JAVA} ${CMAKE_CURRENT_LIST_DIR}/XmlWellFormed.java ${xml})
endforeach()

# C.
set(cflags -std=c11 -Wall -Wextra -Wno-unused-parameter -Werror -I${OPENEN_INCLUDE}
    -I${JNI_INCLUDE} -I${JNI_INCLUDE}/linux -I${WORK}/jni)
if(SANITIZE)
  list(APPEND cflags -fsanitize=${SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
endif()
get_filename_component(libdir ${LIBOPENEN} DIRECTORY)
file(GLOB jni_headers ${WORK}/jni/*.h)
foreach(name ${c_sources})
  file(READ ${WORK}/src/${name} code)
  get_filename_component(stem ${name} NAME_WE)
  if(code MATCHES "int main\\(")
    run("cc ${name}" ${CC} ${cflags} -o ${WORK}/${stem} ${WORK}/src/${name} ${LIBOPENEN}
        -Wl,-rpath,${libdir})
    run("${stem} (run)" ${WORK}/${stem} ${WORK}/run)
  else()
    set(lib ${WORK}/lib${stem}.so)
    run("cc ${name}" ${CC} ${cflags} -fPIC -shared -o ${lib} ${WORK}/src/${name} ${LIBOPENEN}
        -Wl,--no-undefined -Wl,-rpath,${libdir})
    # Every native method the Java side declares is defined (a missing one would only fail
    # when the app calls it, with UnsatisfiedLinkError).
    execute_process(COMMAND nm -D --defined-only ${lib} OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "nm ${lib} failed")
    endif()
    set(natives 0)
    foreach(header ${jni_headers})
      file(READ ${header} declared)
      string(REGEX MATCHALL "JNICALL Java_[A-Za-z0-9_]+" names "${declared}")
      foreach(decl ${names})
        string(REPLACE "JNICALL " "" symbol "${decl}")
        math(EXPR natives "${natives} + 1")
        string(FIND "${symbols}" " ${symbol}\n" at)
        if(at EQUAL -1)
          message(FATAL_ERROR "${name} does not define ${symbol}, which ${header} declares")
        endif()
      endforeach()
    endforeach()
    message(STATUS "${name}: defines all ${natives} native methods")
    list(APPEND jni_libraries ${lib})
  endif()
endforeach()

# The JNI library runs in a real JVM: JniRun.java calls every native method through it, with
# JDK stand-ins for the Android Keystore, the fetcher and the transport.
if(jni_libraries AND java_sources)
  run("javac JniRun.java" ${JAVAC} --release 11 -Xlint:all -Werror
      -cp ${WORK}/shim${sep}${WORK}/classes -d ${WORK}/classes ${CMAKE_CURRENT_LIST_DIR}/JniRun.java)
  set(jvm_env "")
  if(SANITIZE)
    # The sanitizer runtimes must be loaded before the JVM's own libraries; the JVM handles
    # SIGSEGV itself and keeps memory to the end, so ASan leaves both alone.
    set(preload "")
    foreach(runtime asan ubsan)
      if(SANITIZE MATCHES "address" AND runtime STREQUAL "asan" OR
         SANITIZE MATCHES "undefined" AND runtime STREQUAL "ubsan")
        execute_process(COMMAND ${CC} -print-file-name=lib${runtime}.so
                        OUTPUT_VARIABLE path OUTPUT_STRIP_TRAILING_WHITESPACE)
        list(APPEND preload ${path})
      endif()
    endforeach()
    string(REPLACE ";" ":" preload "${preload}")
    set(jvm_env ${CMAKE_COMMAND} -E env LD_PRELOAD=${preload}
        ASAN_OPTIONS=handle_segv=0:allow_user_segv_handler=1:detect_leaks=0:detect_container_overflow=0)
  endif()
  get_filename_component(jni_dir ${WORK}/libopenen_jni.so DIRECTORY)
  # -Xcheck:jni checks every JNI call; its findings (a call with an exception pending, ...)
  # are warnings, which fail the test here.
  execute_process(COMMAND ${jvm_env} ${JAVA} -Xcheck:jni -cp ${WORK}/classes${sep}${WORK}/shim
                          -Djava.library.path=${jni_dir} org.example.exposure.JniRun ${WORK}/jvm
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0 OR out MATCHES "WARNING in native method")
    message(FATAL_ERROR "JniRun failed (${rc}):\n${out}")
  endif()
  message(STATUS "JniRun (run):\n${out}")
endif()
message(STATUS "all ${blocks} snippets of ${DOC} compile")
