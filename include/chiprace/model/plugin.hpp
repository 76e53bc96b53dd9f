#pragma once
// What a model plug-in (a shared library chiprace loads with dlopen) exports. A plug-in's
// source ends with one line naming the functions that return its models' definitions:
//
//   CHIPRACE_PLUGIN(fab_sme_definition)
//
// and is built with chiprace_add_model() (docs/writing-a-model.md), which sets
// CHIPRACE_PLUGIN_VERSION to the plug-in's own version. chiprace refuses a plug-in built for
// another chiprace version or C++ library ABI before it touches any C++ object of it: the
// definitions cross the library boundary as std::string, std::vector and std::function.

#include "chiprace/model/model_definition.hpp"
#include "chiprace/version.hpp"

#include <vector>

namespace chiprace::model {

/// Bumped whenever what crosses the boundary (ModelDefinition, Model, the entry points)
/// changes layout or meaning.
inline constexpr int plugin_abi = 2;

#define CHIPRACE_PLUGIN_STRINGIFY_(x) #x
#define CHIPRACE_PLUGIN_STRINGIFY(x) CHIPRACE_PLUGIN_STRINGIFY_(x)

#if defined(__GLIBCXX__)
#define CHIPRACE_PLUGIN_STDLIB                                                                     \
    "libstdc++ " CHIPRACE_PLUGIN_STRINGIFY(                                                        \
        _GLIBCXX_RELEASE) " cxx11-abi " CHIPRACE_PLUGIN_STRINGIFY(_GLIBCXX_USE_CXX11_ABI)
#elif defined(_LIBCPP_VERSION)
#define CHIPRACE_PLUGIN_STDLIB "libc++ " CHIPRACE_PLUGIN_STRINGIFY(_LIBCPP_ABI_VERSION)
#else
#define CHIPRACE_PLUGIN_STDLIB "unknown C++ library"
#endif

/// The build a plug-in and chiprace must share: the chiprace version (headers, layouts), the
/// C++ library's ABI, and the sizes of what crosses (a development build whose definition grew
/// a field, with the version unchanged, is caught too). The compiler itself may differ (GCC
/// and Clang share libstdc++).
inline std::string plugin_build_tag() {
    return std::string("chiprace ") + chiprace::build::version + ", " + CHIPRACE_PLUGIN_STDLIB +
           ", definition " + std::to_string(sizeof(ModelDefinition)) + " bytes, policy " +
           std::to_string(sizeof(Policy)) + " bytes";
}

/// The plug-in's own version, from chiprace_add_model(... VERSION x.y.z).
#ifndef CHIPRACE_PLUGIN_VERSION
#define CHIPRACE_PLUGIN_VERSION "unversioned"
#endif

} // namespace chiprace::model

/// The plug-in's entry points (C names, so that dlsym finds them without mangling).
#define CHIPRACE_PLUGIN(...)                                                                       \
    extern "C" __attribute__((visibility("default"))) int chiprace_plugin_abi() {                  \
        return ::chiprace::model::plugin_abi;                                                      \
    }                                                                                              \
    extern "C" __attribute__((visibility("default"))) const char* chiprace_plugin_build() {        \
        static const std::string tag = ::chiprace::model::plugin_build_tag();                      \
        return tag.c_str();                                                                        \
    }                                                                                              \
    extern "C" __attribute__((visibility("default"))) const char* chiprace_plugin_version() {      \
        return CHIPRACE_PLUGIN_VERSION;                                                            \
    }                                                                                              \
    extern "C" __attribute__((visibility("default"))) void chiprace_plugin_models(                 \
        std::vector<::chiprace::model::ModelDefinition>* out) {                                    \
        using Definition = ::chiprace::model::ModelDefinition (*)();                               \
        for (const Definition definition : {__VA_ARGS__})                                          \
            out->push_back(definition());                                                          \
    }
