#!/usr/bin/env python3
"""nvrtc_check.py — compiles every kernel with a real NVRTC (no GPU needed) exactly as CudaBackend does.

Same in-memory headers and options as Compute/Cuda/NvrtcCompiler.cs; the target is a CUBIN, so NVRTC's ptxas also
checks the inline PTX (mma.sync, ldmatrix, cp.async) and reports registers and spills (--ptxas-options=-v).

usage: python3 kernels/ci/nvrtc_check.py /path/to/libnvrtc.so[.N] [sm_80 sm_90 ...]
(libnvrtc-builtins must be findable: put its folder on LD_LIBRARY_PATH.) Exit 1 on any compile error.
"""
import ctypes
import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
KERNELS = os.path.dirname(HERE)
OPTIONS = [b"-std=c++17", b"-DQS_NVRTC=1", b"--ptxas-options=-v"]


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    lib = ctypes.CDLL(sys.argv[1])
    archs = sys.argv[2:] or ["sm_80", "sm_90"]
    major, minor = ctypes.c_int(), ctypes.c_int()
    lib.nvrtcVersion(ctypes.byref(major), ctypes.byref(minor))
    vp, cp = ctypes.c_void_p, ctypes.c_char_p
    lib.nvrtcGetErrorString.restype = cp
    lib.nvrtcGetErrorString.argtypes = [ctypes.c_int]
    lib.nvrtcCreateProgram.argtypes = [ctypes.POINTER(vp), cp, cp, ctypes.c_int, ctypes.POINTER(cp), ctypes.POINTER(cp)]
    lib.nvrtcCompileProgram.argtypes = [vp, ctypes.c_int, ctypes.POINTER(cp)]
    lib.nvrtcGetProgramLogSize.argtypes = [vp, ctypes.POINTER(ctypes.c_size_t)]
    lib.nvrtcGetProgramLog.argtypes = [vp, ctypes.c_char_p]
    lib.nvrtcGetCUBINSize.argtypes = [vp, ctypes.POINTER(ctypes.c_size_t)]
    lib.nvrtcDestroyProgram.argtypes = [ctypes.POINTER(vp)]
    print(f"NVRTC {major.value}.{minor.value}")
    headers = {os.path.basename(p): open(p, "rb").read() for p in glob.glob(os.path.join(KERNELS, "*.cuh"))}
    names = list(headers)
    hdr_src = (ctypes.c_char_p * len(names))(*[headers[n] for n in names])
    hdr_names = (ctypes.c_char_p * len(names))(*[n.encode() for n in names])
    failed = 0
    for path in sorted(glob.glob(os.path.join(KERNELS, "*.cu"))):
        name = os.path.basename(path)
        for arch in archs:
            prog = ctypes.c_void_p()
            rc = lib.nvrtcCreateProgram(ctypes.byref(prog), open(path, "rb").read(), name.encode(), len(names), hdr_src, hdr_names)
            if rc != 0:
                print(f"FAIL  {name} {arch}: nvrtcCreateProgram: {lib.nvrtcGetErrorString(rc).decode()}")
                failed += 1
                continue
            opts = OPTIONS + [f"--gpu-architecture={arch}".encode()]
            rc = lib.nvrtcCompileProgram(prog, len(opts), (ctypes.c_char_p * len(opts))(*opts))
            size = ctypes.c_size_t()
            lib.nvrtcGetProgramLogSize(prog, ctypes.byref(size))
            log = ctypes.create_string_buffer(size.value)
            lib.nvrtcGetProgramLog(prog, log)
            text = log.value.decode(errors="replace").strip()
            if rc != 0:
                print(f"FAIL  {name} {arch}: {lib.nvrtcGetErrorString(rc).decode()}\n{text}")
                failed += 1
            else:
                cubin = ctypes.c_size_t()
                lib.nvrtcGetCUBINSize(prog, ctypes.byref(cubin))
                print(f"ok    {name} {arch}: CUBIN {cubin.value} bytes")
                for line in text.splitlines():
                    if "registers" in line or "spill" in line or "warning" in line.lower() or "Compiling entry" in line:
                        print(f"        {line.strip()}")
            lib.nvrtcDestroyProgram(ctypes.byref(prog))
    print("nvrtc_check: " + ("all kernels compiled" if failed == 0 else f"{failed} failures"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
