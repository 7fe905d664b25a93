# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# The Kotlin of docs/java.md, compiled with kotlinc against openen.jar and run. Run by CTest as
# `java:the Kotlin example in docs/java.md compiles and runs, and Kotlin sees the nullability`:
#   cmake -DDOC=<docs/java.md> -DWORK=<dir> -DJAVA=<java> -DOPENEN_JAR=<openen.jar>
#         -DOPENEN_JNI=<libopenen_jni.so> [-DKOTLINC=<kotlinc>] [-DSANITIZE=address,undefined
#         -DCC=<C or C++ compiler>] -P kotlin_example.cmake
#
# docs/java.md's fenced blocks are all Kotlin, each with its file name: ```kotlin file=NAME (it
# must compile; Example.kt is also run) or ```kotlin fails=NAME (it must not compile, and every
# error kotlinc reports must be a nullability error: the proof that Kotlin reads the binding's
# @NotNull and @Nullable, without which `ClientOptions.builder(null)` would compile). Any other
# fenced block fails the check, so the page holds no code that is not compiled.
# - Example.kt: kotlinc -cp openen.jar Example.kt -include-runtime -d example.jar, then
#   java -Xcheck:jni -Dopenen.jni.library=<libopenen_jni.so> -cp example.jar:openen.jar ExampleKt
#   RELAY_DIR, where RELAY_DIR holds an empty index.txt (a relay that has published nothing);
#   its output must hold the lines checked below, and a JNI warning fails the test. The sanitizer
#   runtimes are preloaded when the build uses them, as in tests/docs/client_snippets.cmake.
# - Kotlin before 1.8 keeps `use` for AutoCloseable in kotlin-stdlib-jdk7, which
#   -include-runtime leaves out: when kotlinc's lib/ has that jar, it joins both class paths.
cmake_minimum_required(VERSION 3.20)
foreach(var DOC WORK JAVA OPENEN_JAR OPENEN_JNI)
  if(NOT ${var})
    message(FATAL_ERROR "kotlin_example.cmake: -D${var}= is required")
  endif()
endforeach()
if(NOT KOTLINC)
  find_program(KOTLINC kotlinc)
  if(NOT KOTLINC)
    message(FATAL_ERROR "kotlinc not found: run scripts/install-deps.sh (kotlin)")
  endif()
endif()

include(${CMAKE_CURRENT_LIST_DIR}/../jvm_env.cmake)

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/src ${WORK}/relay ${WORK}/tmp)
file(WRITE ${WORK}/relay/index.txt "")

# Extraction, as client_snippets.cmake does it: string(FIND), never a list (code holds ';').
file(READ ${DOC} text)
set(compiles "")
set(fails "")
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
  if(NOT info MATCHES "^kotlin (file|fails)=([A-Za-z0-9_]+\\.kt)$")
    message(FATAL_ERROR "a fenced block in ${DOC} is not a compiled snippet: ```${info}\n"
                        "(use ```kotlin file=NAME.kt or ```kotlin fails=NAME.kt)")
  endif()
  set(kind "${CMAKE_MATCH_1}")
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
  if(name IN_LIST compiles OR name IN_LIST fails)
    message(FATAL_ERROR "${DOC} has two blocks named ${name}")
  endif()
  if(kind STREQUAL "file")
    list(APPEND compiles ${name})
  else()
    list(APPEND fails ${name})
  endif()
  file(WRITE ${WORK}/src/${name} "${body}\n")
endwhile()
if(NOT "Example.kt" IN_LIST compiles)
  message(FATAL_ERROR "${DOC} has no ```kotlin file=Example.kt block")
endif()
if(NOT fails)
  message(FATAL_ERROR "${DOC} has no ```kotlin fails=NAME.kt block (the nullability check)")
endif()
message(STATUS "Kotlin in ${DOC}: compiles ${compiles}; must fail ${fails}")

# kotlinc's launcher passes the JVM -noverify, which JDK 13 and later warn about: not ours.
function(without_jvm_warnings out_var text)
  string(REGEX REPLACE "[^\n]*warning: Options -Xverify:none and -noverify were deprecated[^\n]*\n?"
                       "" text "${text}")
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

set(sep ":")
set(classpath "${OPENEN_JAR}")
get_filename_component(kotlinc_real ${KOTLINC} REALPATH)
get_filename_component(kotlin_home ${kotlinc_real} DIRECTORY)
get_filename_component(kotlin_home ${kotlin_home} DIRECTORY)
if(EXISTS ${kotlin_home}/lib/kotlin-stdlib-jdk7.jar)
  string(APPEND classpath "${sep}${kotlin_home}/lib/kotlin-stdlib-jdk7.jar")
endif()

# What compiles: each file=NAME block, Example.kt into a runnable jar.
foreach(name ${compiles})
  get_filename_component(stem ${name} NAME_WE)
  set(args -d ${WORK}/${stem}.jar)
  if(name STREQUAL "Example.kt")
    set(args -include-runtime -d ${WORK}/example.jar)
  endif()
  execute_process(COMMAND ${KOTLINC} -cp ${classpath} ${WORK}/src/${name} ${args}
                  TIMEOUT 600 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  without_jvm_warnings(out "${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "kotlinc ${name} failed (${rc}):\n${out}")
  endif()
  if(out MATCHES "[^\n]")
    message(STATUS "kotlinc ${name}:\n${out}")
  endif()
endforeach()

# What must not compile, for nullability alone.
set(nullability_error
    "([Nn]ull can ?not be a value of a non-null type|[Tt]ype mismatch: (inferred|actual) type is '?[A-Za-z0-9_.]+\\?'?,? but)")
foreach(name ${fails})
  get_filename_component(stem ${name} NAME_WE)
  execute_process(COMMAND ${KOTLINC} -cp ${classpath} ${WORK}/src/${name} -d ${WORK}/${stem}.jar
                  TIMEOUT 600 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  without_jvm_warnings(out "${out}")
  if(rc EQUAL 0)
    message(FATAL_ERROR "${name} compiled, but it passes null where the binding says @NotNull: "
                        "Kotlin did not read the nullability annotations\n${out}")
  endif()
  string(REGEX MATCHALL "error:[^\n]*" errors "${out}")
  list(LENGTH errors n_errors)
  if(n_errors EQUAL 0)
    message(FATAL_ERROR "kotlinc ${name} failed (${rc}) without an error message:\n${out}")
  endif()
  foreach(error ${errors})
    if(NOT error MATCHES "${nullability_error}")
      message(FATAL_ERROR "${name} fails for another reason than nullability: ${error}\n${out}")
    endif()
  endforeach()
  message(STATUS "${name} does not compile, with ${n_errors} nullability error(s), as it should:\n${out}")
endforeach()

# Example.kt runs against the real binding.
set(jvm_env "")
if(SANITIZE)
  if(NOT CC)
    message(FATAL_ERROR "kotlin_example.cmake: -DSANITIZE= needs -DCC= (to find the runtimes)")
  endif()
  openen_jvm_preload(preload "${SANITIZE}" "${CC}")
  set(jvm_env ${CMAKE_COMMAND} -E env LD_PRELOAD=${preload} ASAN_OPTIONS=${OPENEN_JVM_ASAN_OPTIONS})
endif()
# -Xcheck:jni checks every JNI call the binding makes; its findings are warnings, which fail the
# test here. The example's temporary directory goes under WORK.
execute_process(COMMAND ${jvm_env} ${JAVA} -Xcheck:jni -Dopenen.jni.library=${OPENEN_JNI}
                        -Djava.io.tmpdir=${WORK}/tmp -cp ${WORK}/example.jar${sep}${classpath}
                        ExampleKt ${WORK}/relay
                TIMEOUT 300 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0 OR out MATCHES "(WARNING|FATAL ERROR) in native method")
  message(FATAL_ERROR "ExampleKt failed (${rc}):\n${out}")
endif()
foreach(want
    "broadcast: 20 bytes of service data"
    "stored: 2024-03-01: 2 scans of 1 identifier"
    "broadcast while paused: refused, PAUSED"
    "synced: 0 batches, 0 keys, 0 new exposure windows"
    "exposure: none"
    "closed")
  string(FIND "${out}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "ExampleKt's output lacks \"${want}\":\n${out}")
  endif()
endforeach()
message(STATUS "ExampleKt (run):\n${out}")
file(GLOB left ${WORK}/tmp/*)
if(left)
  message(FATAL_ERROR "ExampleKt left its temporary directory behind: ${left}")
endif()
message(STATUS "the Kotlin of ${DOC} compiles and runs, and Kotlin sees the nullability")
