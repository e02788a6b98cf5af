using System.Runtime.InteropServices;
using System.Text;
using Quicksilver.Engine.Compute.Cuda.Interop;

namespace Quicksilver.Engine.Compute.Cuda;

/// <summary>Compiles one CUDA C++ program with NVRTC to a CUBIN (for one <c>sm_XY</c>) or to PTX.</summary>
internal static unsafe class NvrtcCompiler
{
    /// <summary>The NVRTC version (<c>nvrtcVersion</c>).</summary>
    public static (int Major, int Minor) Version()
    {
        CudaCheck.Nvrtc(NvrtcApi.nvrtcVersion(out int major, out int minor), nameof(NvrtcApi.nvrtcVersion));
        return (major, minor);
    }

    /// <summary>The options every program is compiled with, besides the architecture.</summary>
    public static IReadOnlyList<string> CommonOptions { get; } = ["-std=c++17", "-DQS_NVRTC=1"];

    /// <summary>
    /// Compiles <paramref name="source"/>. With <paramref name="cubin"/> the target is <c>sm_{arch}</c> and the
    /// result a CUBIN; otherwise <c>compute_{arch}</c> and null-terminated PTX for the driver to JIT.
    /// Failures throw <see cref="CudaException"/> with the compiler log.
    /// </summary>
    public static byte[] Compile(string name, string source, IReadOnlyDictionary<string, string> headers, string arch, bool cubin, out string log)
    {
        var options = new List<string>(CommonOptions) { $"--gpu-architecture={(cubin ? "sm" : "compute")}_{arch}" };
        byte* src = Utf8StringArray.AllocUtf8(source);
        byte* programName = Utf8StringArray.AllocUtf8(name);
        try
        {
            using var headerSources = new Utf8StringArray(headers.Values.ToArray());
            using var headerNames = new Utf8StringArray(headers.Keys.ToArray());
            using var optionStrings = new Utf8StringArray(options);
            CudaCheck.Nvrtc(
                NvrtcApi.nvrtcCreateProgram(out NvrtcProgramHandle program, src, programName, headers.Count, headerSources.Pointers, headerNames.Pointers),
                nameof(NvrtcApi.nvrtcCreateProgram),
                name);
            using (program)
            {
                int status = NvrtcApi.nvrtcCompileProgram(program, optionStrings.Count, optionStrings.Pointers);
                log = ReadLog(program);
                CudaCheck.Nvrtc(status, nameof(NvrtcApi.nvrtcCompileProgram), $"program {name}, options {string.Join(' ', options)}{Environment.NewLine}{log}");
                return cubin ? ReadCubin(program, name) : ReadPtx(program, name);
            }
        }
        finally
        {
            NativeMemory.Free(src);
            NativeMemory.Free(programName);
        }
    }

    private static string ReadLog(NvrtcProgramHandle program)
    {
        CudaCheck.Nvrtc(NvrtcApi.nvrtcGetProgramLogSize(program, out nuint size), nameof(NvrtcApi.nvrtcGetProgramLogSize));
        if (size <= 1)
        {
            return string.Empty;
        }

        byte[] buffer = new byte[(int)size];
        fixed (byte* p = buffer)
        {
            CudaCheck.Nvrtc(NvrtcApi.nvrtcGetProgramLog(program, p), nameof(NvrtcApi.nvrtcGetProgramLog));
        }

        return Encoding.UTF8.GetString(buffer, 0, buffer.Length - 1).Trim();
    }

    private static byte[] ReadCubin(NvrtcProgramHandle program, string name)
    {
        CudaCheck.Nvrtc(NvrtcApi.nvrtcGetCUBINSize(program, out nuint size), nameof(NvrtcApi.nvrtcGetCUBINSize), name);
        byte[] image = new byte[(int)size];
        fixed (byte* p = image)
        {
            CudaCheck.Nvrtc(NvrtcApi.nvrtcGetCUBIN(program, p), nameof(NvrtcApi.nvrtcGetCUBIN), name);
        }

        return image;
    }

    private static byte[] ReadPtx(NvrtcProgramHandle program, string name)
    {
        CudaCheck.Nvrtc(NvrtcApi.nvrtcGetPTXSize(program, out nuint size), nameof(NvrtcApi.nvrtcGetPTXSize), name);
        byte[] image = new byte[(int)size]; // includes the terminating NUL that cuModuleLoadData needs for PTX
        fixed (byte* p = image)
        {
            CudaCheck.Nvrtc(NvrtcApi.nvrtcGetPTX(program, p), nameof(NvrtcApi.nvrtcGetPTX), name);
        }

        return image;
    }
}
