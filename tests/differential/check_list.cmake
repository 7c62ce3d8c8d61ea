# ctest helper: vgic-difftest --list must name exactly the scenarios
# registered in CMakeLists.txt.
execute_process(COMMAND ${EXE} --list OUTPUT_VARIABLE got
                RESULT_VARIABLE rc)
string(REPLACE "\n" ";" got "${got}")
list(FILTER got EXCLUDE REGEX "^$")
if(NOT rc EQUAL 0 OR NOT "${got}" STREQUAL "${WANT}")
  message(FATAL_ERROR "scenario lists differ:\n driver: ${got}\n cmake:  ${WANT}")
endif()
