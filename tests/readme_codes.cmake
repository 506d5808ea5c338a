# SPDX-License-Identifier: GPL-2.0-or-later
# Fails when the table of covered codes in README.md differs from what kbgen generates from en.kb.
execute_process(COMMAND ${KBGEN} --markdown ${OUT} ${EN} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "kbgen --markdown failed")
endif()
file(READ ${OUT} generated)
file(READ ${README} readme)
string(REGEX MATCH "<!-- kb-codes:begin -->\n(.*)\n<!-- kb-codes:end -->" _ "${readme}")
string(STRIP "${CMAKE_MATCH_1}" in_readme)
string(STRIP "${generated}" generated)
if(NOT in_readme STREQUAL generated)
    message(FATAL_ERROR "README.md: the table of covered codes is out of date; regenerate it with "
                        "'cmake --build build --target kb_markdown' and paste build/kb_codes.md")
endif()
message(STATUS "README code table matches the knowledge base")
