# The one INTERFACE target every slamon library and executable links: language level, warnings,
# sanitizers.
add_library(slamon_settings INTERFACE)
add_library(slamon::settings ALIAS slamon_settings)
target_compile_features(slamon_settings INTERFACE cxx_std_20)
set(CMAKE_CXX_EXTENSIONS OFF)
target_compile_options(slamon_settings INTERFACE -Wall -Wextra)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # g++ 12 needs -fcoroutines spelled out only before C++20; it is implied here.
  if(SLAMON_WERROR)
    # g++ 12's known false positives stay warnings.
    target_compile_options(slamon_settings INTERFACE -Werror
      -Wno-error=restrict -Wno-error=maybe-uninitialized -Wno-error=dangling-pointer
      -Wno-error=array-bounds -Wno-error=stringop-overflow)
  endif()
elseif(SLAMON_WERROR)
  target_compile_options(slamon_settings INTERFACE -Werror)
endif()

if(SLAMON_SANITIZE)
  set(_san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    list(APPEND _san -fno-sanitize=function)
  endif()
  target_compile_options(slamon_settings INTERFACE ${_san})
  target_link_options(slamon_settings INTERFACE ${_san})
endif()
