# SPDX-License-Identifier: GPL-2.0-or-later
# Debian package of the plugin, one per Wireshark release line:
#
#   cmake -S . -B build -DSIPDIAG_INSTALL_GLOBAL=ON -DCMAKE_INSTALL_PREFIX=/usr
#   cmake --build build && (cd build && cpack -G DEB)
#   -> build/wireshark-plugin-sipdiag_<version>~ws<major>.<minor>_<arch>.deb
#
# The package holds sipdiag.so only, in the global plugin folder of the Wireshark it was built
# against (Wireshark_PLUGIN_INSTALL_DIR/epan), and depends on the libwireshark package of that
# build (libwiresharkNN, NN = soname of the libwireshark linked), restricted to that release line:
# a plugin only loads into the major.minor it was built for.
#
# Included from the top-level CMakeLists.txt, before add_subdirectory(plugin/wireshark): the Wireshark
# package found here is then the one plugin/wireshark uses (its find_package() reuses our targets).

include_guard(GLOBAL)

find_package(Wireshark CONFIG QUIET)
if(NOT Wireshark_FOUND OR NOT TARGET epan)
    message(STATUS "Packaging: Wireshark not found, no .deb package")
    return()
endif()

set(_ws_line "${Wireshark_MAJOR_VERSION}.${Wireshark_MINOR_VERSION}")
math(EXPR _ws_next_minor "${Wireshark_MINOR_VERSION} + 1")
set(_ws_next_line "${Wireshark_MAJOR_VERSION}.${_ws_next_minor}")

# The libwireshark the plugin links: its soname names the Debian package (libwireshark18 for
# libwireshark.so.18). Read from the imported target, whatever configuration it was exported as.
set(_ws_soname "")
set(_ws_lib "")
get_target_property(_ws_configs epan IMPORTED_CONFIGURATIONS)
if(NOT _ws_configs)
    set(_ws_configs "")
endif()
foreach(_cfg IN LISTS _ws_configs ITEMS "")
    if(_cfg STREQUAL "")
        set(_sfx "")
    else()
        string(TOUPPER "_${_cfg}" _sfx)
    endif()
    if(NOT _ws_soname)
        get_target_property(_ws_soname epan IMPORTED_SONAME${_sfx})
        if(NOT _ws_soname)
            set(_ws_soname "")
        endif()
    endif()
    if(NOT _ws_lib)
        get_target_property(_ws_lib epan IMPORTED_LOCATION${_sfx})
        if(NOT _ws_lib)
            set(_ws_lib "")
        endif()
    endif()
endforeach()
if(NOT _ws_soname AND _ws_lib)
    # No soname exported: resolve libwireshark.so -> libwireshark.so.NN.
    get_filename_component(_ws_libdir "${_ws_lib}" DIRECTORY)
    file(GLOB _ws_candidates "${_ws_libdir}/libwireshark.so.[0-9]*")
    foreach(_c IN LISTS _ws_candidates)
        get_filename_component(_n "${_c}" NAME)
        if(_n MATCHES "^libwireshark\\.so\\.[0-9]+$")
            set(_ws_soname "${_n}")
        endif()
    endforeach()
endif()

# Prefer what dpkg says owns the library; fall back to the Debian naming rule for the soname.
set(SIPDIAG_DEB_LIBWIRESHARK "" CACHE STRING
    "Debian package of libwireshark the .deb depends on (empty: detect)")
set(_ws_pkg "${SIPDIAG_DEB_LIBWIRESHARK}")
find_program(SIPDIAG_DPKG_QUERY dpkg-query)
if(NOT _ws_pkg AND _ws_lib)
    if(SIPDIAG_DPKG_QUERY)
        get_filename_component(_ws_real "${_ws_lib}" REALPATH)
        execute_process(COMMAND ${SIPDIAG_DPKG_QUERY} -S "${_ws_real}"
                        OUTPUT_VARIABLE _ws_owner ERROR_QUIET RESULT_VARIABLE _rc
                        OUTPUT_STRIP_TRAILING_WHITESPACE)
        # "libwireshark18:amd64: /usr/lib/x86_64-linux-gnu/libwireshark.so.18.0.18"
        if(_rc EQUAL 0 AND _ws_owner MATCHES "^(libwireshark[0-9a-z.+-]*)(:[a-z0-9]+)?: ")
            set(_ws_pkg "${CMAKE_MATCH_1}")
        endif()
    endif()
endif()
if(NOT _ws_pkg AND _ws_soname MATCHES "^libwireshark\\.so\\.([0-9]+)$")
    set(_ws_pkg "libwireshark${CMAKE_MATCH_1}")
endif()
if(NOT _ws_pkg)
    message(WARNING "Packaging: cannot tell which libwireshark package the plugin needs "
                    "(set SIPDIAG_DEB_LIBWIRESHARK); the .deb will lack that dependency")
endif()

set(CPACK_PACKAGE_NAME "wireshark-plugin-sipdiag")
set(CPACK_PACKAGE_VENDOR "sipdiag")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}~ws${_ws_line}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "SIP response diagnostics for Wireshark ${_ws_line} (post-dissector plugin)")
set(CPACK_PACKAGE_DESCRIPTION
    "sipdiag explains SIP responses (302, 412, 422 and the other status codes) in Wireshark and\n\
tshark: meaning, typical cause, fix, RFC, the matching request and whether the client's next\n\
attempt applied the fix. Built for Wireshark ${_ws_line}; installed in its global plugin\n\
folder, so it is loaded for every user, root included.")
set(CPACK_PACKAGE_CONTACT "sipdiag maintainers <sipdiag@localhost>" CACHE STRING
    "Maintainer field of the .deb")
set(CPACK_GENERATOR "DEB")
set(CPACK_STRIP_FILES ON)
# Only the plugin component (no test binaries, no kbgen).
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR};${PROJECT_NAME};plugin;/")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_SOURCE_GENERATOR "")

set(CPACK_DEBIAN_PACKAGE_NAME "${CPACK_PACKAGE_NAME}")
set(CPACK_DEBIAN_PACKAGE_VERSION "${CPACK_PACKAGE_VERSION}")
set(CPACK_DEBIAN_PACKAGE_RELEASE "")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_ENHANCES "wireshark, tshark")
set(_deps "")
if(_ws_pkg)
    # Same release line only: 4.4.x for a build against 4.4 ("4.5~" sorts before any 4.5).
    list(APPEND _deps "${_ws_pkg} (>= ${_ws_line}.0)" "${_ws_pkg} (<< ${_ws_next_line}~)")
endif()
# libc6, libstdc++6 and friends: from dpkg-shlibdeps when dpkg-dev is there, else the versions
# of the build system (what the plugin was linked against; never too low).
find_program(SIPDIAG_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(SIPDIAG_DPKG_SHLIBDEPS)
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
elseif(SIPDIAG_DPKG_QUERY)
    foreach(_p libc6 libstdc++6 libgcc-s1)
        execute_process(COMMAND ${SIPDIAG_DPKG_QUERY} -W -f=\${Version} ${_p}
                        OUTPUT_VARIABLE _v ERROR_QUIET RESULT_VARIABLE _rc)
        if(_rc EQUAL 0 AND _v)
            string(REGEX REPLACE "-[^-]*$" "" _v "${_v}")  # upstream part only
            list(APPEND _deps "${_p} (>= ${_v})")
        endif()
    endforeach()
endif()
string(REPLACE ";" ", " CPACK_DEBIAN_PACKAGE_DEPENDS "${_deps}")
# sipdiag-report (/usr/bin): what it runs. Recommends, not Depends, so that `dpkg -i` of the
# plugin alone still works where these are missing (libjs-chart.js: the page's charts).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "tshark, parallel, python3, libjs-chart.js, rsync, openssh-client")

if(CPACK_DEBIAN_PACKAGE_SHLIBDEPS)
    set(_more " + dpkg-shlibdeps")
else()
    set(_more "")
endif()
if(NOT SIPDIAG_INSTALL_GLOBAL)
    # A package of the personal-folder install would put the plugin under the builder's $HOME.
    message(STATUS "Packaging: off (configure with -DSIPDIAG_INSTALL_GLOBAL=ON "
                   "-DCMAKE_INSTALL_PREFIX=/usr to make the .deb)")
    return()
endif()
message(STATUS "Packaging: ${CPACK_PACKAGE_NAME} ${CPACK_PACKAGE_VERSION}, "
               "Depends: ${CPACK_DEBIAN_PACKAGE_DEPENDS}${_more}")

include(CPack)
