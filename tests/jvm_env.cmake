# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
# What running a JVM on OpenEN's instrumented libraries needs, for the tests that do it
# (tests/java, tests/docs/client_snippets.cmake, tests/java/kotlin_example.cmake): the sanitizer
# runtimes must be loaded before the JVM's own libraries, and ASan must leave alone what the JVM
# does on purpose (it handles SIGSEGV itself and keeps memory to the end).
set(OPENEN_JVM_ASAN_OPTIONS handle_segv=0:allow_user_segv_handler=1:detect_leaks=0:detect_container_overflow=0)

# openen_jvm_preload(OUT SANITIZE CC): in OUT, the LD_PRELOAD value (runtimes joined by ':') for
# a build with -fsanitize=SANITIZE by compiler CC; empty without sanitizers.
function(openen_jvm_preload out sanitize cc)
  set(preload "")
  foreach(runtime asan ubsan)
    if((sanitize MATCHES "address" AND runtime STREQUAL "asan") OR
       (sanitize MATCHES "undefined" AND runtime STREQUAL "ubsan"))
      execute_process(COMMAND ${cc} -print-file-name=lib${runtime}.so
                      OUTPUT_VARIABLE path OUTPUT_STRIP_TRAILING_WHITESPACE)
      list(APPEND preload ${path})
    endif()
  endforeach()
  string(REPLACE ";" ":" preload "${preload}")
  set(${out} "${preload}" PARENT_SCOPE)
endfunction()
