namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>
/// The logical library names used in <c>[LibraryImport]</c>. <see cref="CudaLibraryResolver"/> maps each to a file
/// of the installed CUDA major version; they are never file names themselves, so nothing loads by accident.
/// </summary>
internal static class CudaLibraryNames
{
    public const string Driver = "quicksilver-cuda";
    public const string Nvrtc = "quicksilver-nvrtc";
    public const string Cublas = "quicksilver-cublas";

    public static CudaLibrary? FromImportName(string name) => name switch
    {
        Driver => CudaLibrary.Driver,
        Nvrtc => CudaLibrary.Nvrtc,
        Cublas => CudaLibrary.Cublas,
        _ => null,
    };
}
