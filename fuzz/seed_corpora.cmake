# Seed corpora for the fuzz targets, from tests/data and fuzz/seeds (cmake -P; SOURCE: the source
# tree, DEST: the corpus folder, MAKE_SEEDS: the make_seeds program for the binary formats).
# DEST/<target>/ is recreated from scratch each time; what a fuzzer adds to it later stays there
# until the next copy. Nothing here is committed: the corpora are build outputs.

set(data ${SOURCE}/tests/data)
file(REMOVE_RECURSE ${DEST})

function(seed target)
  file(MAKE_DIRECTORY ${DEST}/${target})
  foreach(f IN LISTS ARGN)
    file(COPY ${f} DESTINATION ${DEST}/${target})
  endforeach()
endfunction()

# Hand-written seeds (command lines, specs that the test data lacks).
file(GLOB seed_dirs LIST_DIRECTORIES true ${SOURCE}/fuzz/seeds/*)
foreach(d IN LISTS seed_dirs)
  get_filename_component(target ${d} NAME)
  file(GLOB files ${d}/*)
  seed(${target} ${files})
endforeach()

# Text tables and small .npy files of tests/data/io and tests/data/cli.
file(GLOB text ${data}/io/*.csv ${data}/io/*.tsv ${data}/io/*.txt ${data}/cli/*.txt)
file(GLOB npy ${data}/io/*.npy ${data}/llama-cpp-kld/tokens.npy)
seed(fuzz_distribution_text ${text})
seed(fuzz_sample_file ${text})
seed(fuzz_npy ${npy})
seed(fuzz_matrix_file ${npy})

# The tables of tests/data/tables (CSV/TSV and .npy written by pandas and NumPy), and the files above.
file(GLOB tables ${data}/tables/*.csv ${data}/tables/*.tsv ${data}/tables/*.npy)
seed(fuzz_table_file ${tables} ${text} ${npy})

# Every distinct spec of the distribution references, one file each.
file(MAKE_DIRECTORY ${DEST}/fuzz_distribution_spec ${DEST}/fuzz_spec_round_trip)
foreach(table distribution_kl.tsv near_identical_kl.tsv)
  file(STRINGS ${data}/${table} lines)
  foreach(line IN LISTS lines)
    string(REPLACE "\t" ";" fields "${line}")
    list(LENGTH fields n)
    if(n LESS 2)
      continue()
    endif()
    foreach(i 0 1)
      list(GET fields ${i} spec)
      if(spec MATCHES "\\(")
        string(MD5 name "${spec}")
        file(WRITE ${DEST}/fuzz_distribution_spec/${name} "${spec}")
        file(WRITE ${DEST}/fuzz_spec_round_trip/${name} "${spec}")
      endif()
    endforeach()
  endforeach()
endforeach()

# Small valid safetensors, llama.cpp base, kldiv reference and .npy files written by make_seeds.
execute_process(COMMAND ${MAKE_SEEDS} ${DEST} RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "make_seeds ${DEST} failed: ${status}")
endif()
file(MAKE_DIRECTORY ${DEST}/fuzz_logits_vs_probs)  # random bytes are as good as any seed
