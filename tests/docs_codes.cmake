# SPDX-License-Identifier: GPL-2.0-or-later
# Fails when the table of covered codes in docs/codes.md differs from what kbgen generates from
# en.kb.
execute_process(COMMAND ${KBGEN} --markdown ${OUT} ${EN} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "kbgen --markdown failed")
endif()
file(READ ${OUT} generated)
file(READ ${DOC} doc)
string(REGEX MATCH "<!-- kb-codes:begin -->\n(.*)\n<!-- kb-codes:end -->" _ "${doc}")
string(STRIP "${CMAKE_MATCH_1}" in_doc)
string(STRIP "${generated}" generated)
if(NOT in_doc STREQUAL generated)
    message(FATAL_ERROR "docs/codes.md: the table of covered codes is out of date; refresh it "
                        "with 'cmake --build build --target docs'")
endif()
message(STATUS "docs/codes.md matches the knowledge base")
