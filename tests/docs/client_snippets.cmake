# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# Compiles every code snippet of docs/client.md, runs the C program among them, and runs the
# guide's Android classes that need no Android through the real Java binding. Run by CTest as
# `docs:client guide snippets compile and run`:
#   cmake -DDOC=<docs/client.md> -DWORK=<dir> -DSHIM=<tests/docs/android_api> -DJAVAC=<javac>
#         -DJAVA=<java> -DCC=<C compiler> -DOPENEN_INCLUDE=<dir> -DLIBOPENEN=<libopenen.so>
#         [-DOPENEN_JAR=<openen.jar> -DOPENEN_JNI=<libopenen_jni.so>]
#         [-DSANITIZE=address,undefined] -P client_snippets.cmake
#
# A snippet is a fenced block whose info string is `c file=NAME`, `java file=NAME` or
# `xml file=NAME`; blocks with the same NAME are joined in the order they appear. Any other
# fenced block fails the check, so the guide holds no code that is not compiled.
# - Java: the Android snippets compile with javac --release 17 -Xlint:all -Werror against
#   tests/docs/android_api, a shim of exactly the Android and androidx classes and methods they
#   use (bodies throw), and against openen.jar, the binding they call (org.openen). It checks the
#   snippets against those signatures, each copied from developer.android.com, and not against
#   the real Android SDK, which is not in Debian. Then GuideRun.java runs the classes that need
#   no Android (the WrappingKey with a JDK key in place of the Android Keystore, the CdnFetcher
#   against a local web server, Exposure's status mapping) through openen.jar and
#   libopenen_jni.so in the JDK's JVM under -Xcheck:jni, with the sanitizer runtimes preloaded
#   when the build uses them; a JNI warning fails the test. Without OPENEN_JAR (a build without
#   bindings/java) the Java snippets cannot compile: the C and XML ones are still checked, and
#   the script ends by printing "SKIPPED: the Java snippets", which CTest reports as a skip.
# - C: a file with main() is a program, compiled, linked against libopenen.so and run with a
#   fresh work directory; any other is compiled (-c) against openen.h only.
# - XML: must be well-formed.
cmake_minimum_required(VERSION 3.20)
foreach(var DOC WORK SHIM JAVAC JAVA CC OPENEN_INCLUDE LIBOPENEN)
  if(NOT ${var})
    message(FATAL_ERROR "client_snippets.cmake: -D${var}= is required")
  endif()
endforeach()
if(OPENEN_JAR AND NOT OPENEN_JNI)
  message(FATAL_ERROR "client_snippets.cmake: -DOPENEN_JAR= needs -DOPENEN_JNI=")
endif()

include(${CMAKE_CURRENT_LIST_DIR}/../jvm_env.cmake)

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/src ${WORK}/shim ${WORK}/classes ${WORK}/run ${WORK}/jvm)

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

# XML: well-formed, checked by the JDK's parser.
foreach(xml ${xml_sources})
  run("xml ${xml}" ${JAVA} ${CMAKE_CURRENT_LIST_DIR}/XmlWellFormed.java ${xml})
endforeach()

# C.
set(cflags -std=c11 -Wall -Wextra -Wno-unused-parameter -Werror -I${OPENEN_INCLUDE})
if(SANITIZE)
  list(APPEND cflags -fsanitize=${SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
endif()
get_filename_component(libdir ${LIBOPENEN} DIRECTORY)
foreach(name ${c_sources})
  file(READ ${WORK}/src/${name} code)
  get_filename_component(stem ${name} NAME_WE)
  if(code MATCHES "int main\\(")
    run("cc ${name}" ${CC} ${cflags} -o ${WORK}/${stem} ${WORK}/src/${name} ${LIBOPENEN}
        -Wl,-rpath,${libdir})
    run("${stem} (run)" ${WORK}/${stem} ${WORK}/run)
  else()
    run("cc -c ${name}" ${CC} ${cflags} -c -o ${WORK}/${stem}.o ${WORK}/src/${name})
  endif()
endforeach()

# Java: the snippets against the shim and openen.jar, then GuideRun through the real binding.
if(java_sources AND NOT OPENEN_JAR)
  message(STATUS "SKIPPED: the Java snippets of ${DOC} need openen.jar, which this build does not "
                 "make (bindings/java, OPENEN_BUILD_JAVA=ON); the C and XML snippets compile")
  return()
endif()
file(GLOB_RECURSE shim_sources ${SHIM}/*.java)
run("javac (shim)" ${JAVAC} --release 17 -d ${WORK}/shim ${shim_sources})
if(java_sources)
  set(classpath "${WORK}/shim${sep}${OPENEN_JAR}")
  run("javac (snippets)" ${JAVAC} --release 17 -Xlint:all -Werror -cp ${classpath}
      -d ${WORK}/classes ${java_sources})
  run("javac GuideRun.java" ${JAVAC} --release 17 -Xlint:all -Werror
      -cp ${WORK}/classes${sep}${classpath} -d ${WORK}/classes ${CMAKE_CURRENT_LIST_DIR}/GuideRun.java)
  set(jvm_env "")
  if(SANITIZE)
    openen_jvm_preload(preload "${SANITIZE}" "${CC}")
    set(jvm_env ${CMAKE_COMMAND} -E env LD_PRELOAD=${preload} ASAN_OPTIONS=${OPENEN_JVM_ASAN_OPTIONS})
  endif()
  # -Xcheck:jni checks every JNI call the binding makes; its findings (a call with an exception
  # pending, ...) are warnings, which fail the test here.
  execute_process(COMMAND ${jvm_env} ${JAVA} -Xcheck:jni -Dopenen.jni.library=${OPENEN_JNI}
                          -cp ${WORK}/classes${sep}${classpath}
                          org.example.exposure.GuideRun ${WORK}/jvm
                  TIMEOUT 300 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0 OR out MATCHES "(WARNING|FATAL ERROR) in native method")
    message(FATAL_ERROR "GuideRun failed (${rc}):\n${out}")
  endif()
  message(STATUS "GuideRun (run):\n${out}")
endif()
message(STATUS "all ${blocks} snippets of ${DOC} compile")
