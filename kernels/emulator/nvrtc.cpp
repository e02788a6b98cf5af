// nvrtc.cpp — NVRTC for the CPU emulator: compiles a kernel program as host C++ into a shared object.
//
// The program and its in-memory headers are written to a temporary folder; the host compiler ($QS_EMU_CXX, else
// clang++-14, clang++ or g++) preprocesses it once to find the kernels (functions that device.h's __global__ marks),
// then builds the program plus one trampoline per kernel (qs_emu_kernel_NAME(void** params), which unpacks the
// driver's kernel parameters into the kernel's own argument types). The "CUBIN" (and the "PTX") is an
// EmuImageHeader followed by that shared object; the architecture option is accepted and ignored.
#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "emulator_abi.h"

namespace {

enum NvrtcResult { NVRTC_SUCCESS = 0, NVRTC_ERROR_INVALID_INPUT = 3, NVRTC_ERROR_INVALID_PROGRAM = 4, NVRTC_ERROR_COMPILATION = 6 };

struct Program {
    std::string name;
    std::string source;
    std::vector<std::pair<std::string, std::string>> headers;  // include name, text
    std::string log;
    std::string image;
};

const char* const kResultNames[] = {
    "NVRTC_SUCCESS", "NVRTC_ERROR_OUT_OF_MEMORY", "NVRTC_ERROR_PROGRAM_CREATION_FAILURE", "NVRTC_ERROR_INVALID_INPUT",
    "NVRTC_ERROR_INVALID_PROGRAM", "NVRTC_ERROR_INVALID_OPTION", "NVRTC_ERROR_COMPILATION",
};

std::string Quote(const std::string& s)
{
    std::string out = "'";
    for (char c : s) {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

// The folder of this library: device.h and emulator_abi.h are installed next to it (build.sh).
std::string LibraryFolder()
{
    Dl_info info{};
    dladdr(reinterpret_cast<void*>(&LibraryFolder), &info);
    std::string path = info.dli_fname != nullptr ? info.dli_fname : "";
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string FindHostCompiler()
{
    if (const char* cxx = std::getenv("QS_EMU_CXX"); cxx != nullptr && *cxx != '\0') {
        return cxx;
    }
    for (const char* candidate : {"clang++-14", "clang++", "g++"}) {
        if (std::system((std::string("command -v ") + candidate + " >/dev/null 2>&1").c_str()) == 0) {
            return candidate;
        }
    }
    return "c++";
}

const std::string& HostCompiler()
{
    static const std::string compiler = FindHostCompiler();  // looked up once per process
    return compiler;
}

bool Run(const std::string& command, std::string& output)
{
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) {
        output += "cannot run: " + command + "\n";
        return false;
    }
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) {
        output.append(buffer, n);
    }
    return pclose(pipe) == 0;
}

bool ReadFile(const std::string& path, std::string& contents)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return false;
    }
    std::ostringstream s;
    s << in.rdbuf();
    contents = s.str();
    return true;
}

void WriteFile(const std::string& path, const std::string& contents)
{
    std::ofstream(path, std::ios::binary) << contents;
}

std::vector<std::string> KernelNames(const std::string& preprocessed)
{
    static const std::regex kernel(R"(annotate\("qs_emu_kernel"\), visibility\("default"\)\)\)\s*void\s+(\w+)\s*\()");
    std::vector<std::string> names;
    for (auto it = std::sregex_iterator(preprocessed.begin(), preprocessed.end(), kernel); it != std::sregex_iterator(); ++it) {
        names.push_back((*it)[1]);
    }
    return names;
}

std::string Trampolines(const std::string& program, const std::vector<std::string>& kernels)
{
    std::string s = "#include \"" + program + "\"\n" + R"(
#include <cstddef>
#include <type_traits>
#include <utility>
extern "C" const EmuRuntime* qs_emu_runtime = nullptr;
extern "C" __attribute__((visibility("default"))) void qs_emu_bind(const EmuRuntime* runtime) { qs_emu_runtime = runtime; }
template <class... A, std::size_t... I>
static void qs_emu_call(void (*kernel)(A...), void** p, std::index_sequence<I...>)
{
    kernel(*static_cast<std::remove_cv_t<std::remove_reference_t<A>>*>(p[I])...);
}
template <class... A>
static void qs_emu_call(void (*kernel)(A...), void** p) { qs_emu_call(kernel, p, std::index_sequence_for<A...>{}); }
)";
    for (const std::string& k : kernels) {
        s += "extern \"C\" __attribute__((visibility(\"default\"))) void qs_emu_kernel_" + k + "(void** p) { qs_emu_call(" + k + ", p); }\n";
    }
    return s;
}

NvrtcResult Compile(Program& p, const std::vector<std::string>& options)
{
    char folder_template[] = "/tmp/qs-emu-nvrtc-XXXXXX";
    if (mkdtemp(folder_template) == nullptr) {
        p.log = "cannot create a temporary folder";
        return NVRTC_ERROR_COMPILATION;
    }
    const std::string folder = folder_template;
    const std::string program = p.name.empty() ? "program.cu" : p.name;
    WriteFile(folder + "/" + program, p.source);
    for (const auto& [include, text] : p.headers) {
        WriteFile(folder + "/" + include, text);
    }

    std::string defines;
    for (const std::string& option : options) {
        if (option.rfind("-D", 0) == 0) {
            defines += " " + Quote(option);
        }
    }
    const std::string lib = LibraryFolder();
    const std::string common = HostCompiler() + " -x c++ -std=c++17 -DQS_HOST_EMULATION=1" + defines + " -include " +
                               Quote(lib + "/device.h") + " -I " + Quote(lib) + " -I " + Quote(folder);
    std::string preprocessed;
    bool ok = Run(common + " -E " + Quote(folder + "/" + program) + " -o " + Quote(folder + "/program.ii"), p.log) &&
              ReadFile(folder + "/program.ii", preprocessed);
    if (ok) {
        WriteFile(folder + "/module.cpp", Trampolines(program, KernelNames(preprocessed)));
        ok = Run(common + " -O2 -fPIC -shared -fvisibility=hidden -ffp-contract=off -Wall -Wno-unused-function " +
                     Quote(folder + "/module.cpp") + " -o " + Quote(folder + "/module.so"),
                 p.log);
    }
    std::string shared_object;
    ok = ok && ReadFile(folder + "/module.so", shared_object);
    Run("rm -rf " + Quote(folder), p.log);
    if (!ok) {
        return NVRTC_ERROR_COMPILATION;
    }

    EmuImageHeader header{};
    std::memcpy(header.magic, "QSEMU01", 8);
    header.bytes = shared_object.size();
    p.image.assign(reinterpret_cast<const char*>(&header), sizeof header);
    p.image += shared_object;
    return NVRTC_SUCCESS;
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) int nvrtcVersion(int* major, int* minor)
{
    *major = 13;
    *minor = 0;
    return NVRTC_SUCCESS;
}

__attribute__((visibility("default"))) int nvrtcCreateProgram(Program** program, const char* source, const char* name, int headers,
                                                              const char* const* header_sources, const char* const* include_names)
{
    if (program == nullptr || source == nullptr || headers < 0) {
        return NVRTC_ERROR_INVALID_INPUT;
    }
    auto* p = new Program{name != nullptr ? name : "", source, {}, {}, {}};
    for (int i = 0; i < headers; ++i) {
        p->headers.emplace_back(include_names[i], header_sources[i]);
    }
    *program = p;
    return NVRTC_SUCCESS;
}

__attribute__((visibility("default"))) int nvrtcCompileProgram(Program* program, int count, const char* const* options)
{
    if (program == nullptr) {
        return NVRTC_ERROR_INVALID_PROGRAM;
    }
    return Compile(*program, std::vector<std::string>(options, options + count));
}

__attribute__((visibility("default"))) int nvrtcGetProgramLogSize(Program* program, size_t* size)
{
    *size = program->log.size() + 1;
    return NVRTC_SUCCESS;
}

__attribute__((visibility("default"))) int nvrtcGetProgramLog(Program* program, char* log)
{
    std::memcpy(log, program->log.c_str(), program->log.size() + 1);
    return NVRTC_SUCCESS;
}

__attribute__((visibility("default"))) int nvrtcGetCUBINSize(Program* program, size_t* size)
{
    *size = program->image.size();
    return program->image.empty() ? NVRTC_ERROR_INVALID_PROGRAM : NVRTC_SUCCESS;
}

__attribute__((visibility("default"))) int nvrtcGetCUBIN(Program* program, char* image)
{
    std::memcpy(image, program->image.data(), program->image.size());
    return program->image.empty() ? NVRTC_ERROR_INVALID_PROGRAM : NVRTC_SUCCESS;
}

__attribute__((visibility("default"))) int nvrtcGetPTXSize(Program* program, size_t* size) { return nvrtcGetCUBINSize(program, size); }

__attribute__((visibility("default"))) int nvrtcGetPTX(Program* program, char* ptx) { return nvrtcGetCUBIN(program, ptx); }

__attribute__((visibility("default"))) int nvrtcDestroyProgram(Program** program)
{
    delete *program;
    *program = nullptr;
    return NVRTC_SUCCESS;
}

__attribute__((visibility("default"))) const char* nvrtcGetErrorString(int result)
{
    return result >= 0 && result < (int)(sizeof kResultNames / sizeof *kResultNames) ? kResultNames[result] : "NVRTC_ERROR_UNKNOWN";
}

}  // extern "C"
