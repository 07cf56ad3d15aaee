# pyhd_embed_file(INPUT OUTPUT SYMBOL): turn INPUT into a C file defining
#   const unsigned char SYMBOL[];  const size_t SYMBOL_len;
# (NUL-terminated, so the text can be passed to Py_CompileString directly).
function(pyhd_embed_file input output symbol)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DOUTPUT=${output} -DSYMBOL=${symbol}
            -P ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/EmbedFileRun.cmake
    DEPENDS ${input} ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/EmbedFileRun.cmake
    COMMENT "Embedding ${input}")
endfunction()
