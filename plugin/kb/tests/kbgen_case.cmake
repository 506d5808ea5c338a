# SPDX-License-Identifier: GPL-2.0-or-later
# One kbgen test case: copy en.kb and fr.kb into WORK, apply at most one edit to each, run kbgen
# and check its exit status, its messages and (optionally) what it wrote.
#
#   -DKBGEN=<path> -DEN=<en.kb> -DFR=<fr.kb> -DWORK=<scratch dir>
#   -DMODE=check|generate|markdown        (default check)
#   -DEN_FROM=<text> -DEN_TO=<text>       replace the single occurrence of EN_FROM in en.kb
#   -DFR_FROM=<text> -DFR_TO=<text>       same for fr.kb
#   -DEXPECT_FAIL=ON|OFF                  kbgen must fail (default OFF)
#   -DEXPECT=<regex>                      must match kbgen's stderr
#   -DEXPECT_OUT=<regex>                  must match the written file (generate, markdown)
# In the edit texts, @NL@ stands for a line break and @FF@ for the byte 0xFF (invalid UTF-8).
cmake_minimum_required(VERSION 3.16)

foreach(var KBGEN EN FR WORK)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "kbgen_case: ${var} is not set")
    endif()
endforeach()
if(NOT MODE)
    set(MODE check)
endif()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
string(ASCII 255 ff)

function(copy_with_edit src dst from to)
    file(READ "${src}" content)
    if(NOT "${from}" STREQUAL "")
        string(REPLACE "@NL@" "\n" from "${from}")
        string(REPLACE "@NL@" "\n" to "${to}")
        string(REPLACE "@FF@" "${ff}" to "${to}")
        string(FIND "${content}" "${from}" first)
        string(FIND "${content}" "${from}" last REVERSE)
        if(first EQUAL -1 OR NOT first EQUAL last)
            message(FATAL_ERROR "kbgen_case: '${from}' must occur exactly once in ${src}; "
                                "update the test after editing the data")
        endif()
        string(REPLACE "${from}" "${to}" content "${content}")
    endif()
    file(WRITE "${dst}" "${content}")
endfunction()

copy_with_edit("${EN}" "${WORK}/en.kb" "${EN_FROM}" "${EN_TO}")
copy_with_edit("${FR}" "${WORK}/fr.kb" "${FR_FROM}" "${FR_TO}")

if(MODE STREQUAL "check")
    set(args --check "${WORK}/en.kb" "${WORK}/fr.kb")
elseif(MODE STREQUAL "generate")
    set(out "${WORK}/kb_tables.cpp")
    set(args "${out}" "${WORK}/en.kb" "${WORK}/fr.kb")
elseif(MODE STREQUAL "markdown")
    set(out "${WORK}/kb_codes.md")
    set(args --markdown "${out}" "${WORK}/en.kb")
else()
    message(FATAL_ERROR "kbgen_case: unknown MODE ${MODE}")
endif()

execute_process(COMMAND "${KBGEN}" ${args} RESULT_VARIABLE rc ERROR_VARIABLE err
                OUTPUT_VARIABLE stdout)
message(STATUS "kbgen exit status ${rc}\n${err}")

if(EXPECT_FAIL AND rc EQUAL 0)
    message(FATAL_ERROR "kbgen accepted data it should have rejected")
elseif(NOT EXPECT_FAIL AND NOT rc EQUAL 0)
    message(FATAL_ERROR "kbgen rejected valid data")
endif()
if(DEFINED EXPECT AND NOT err MATCHES "${EXPECT}")
    message(FATAL_ERROR "kbgen's messages do not match: ${EXPECT}")
endif()
if(EXPECT_FAIL AND out AND EXISTS "${out}")
    message(FATAL_ERROR "kbgen wrote ${out} although it failed")
endif()
if(DEFINED EXPECT_OUT)
    file(READ "${out}" written)
    if(NOT written MATCHES "${EXPECT_OUT}")
        message(FATAL_ERROR "${out} does not match: ${EXPECT_OUT}")
    endif()
endif()
