using Quicksilver.Engine.Compute.Cuda;
using Quicksilver.GpuHarness;
using Quicksilver.GpuHarness.Bench;
using Quicksilver.GpuHarness.Parity;

// GPU checks for the CUDA backend; see `help`.
const string Usage = """
    Quicksilver.GpuHarness — checks the CUDA backend against the CPU reference and benchmarks it.

    usage: Quicksilver.GpuHarness <command> [options]

    commands:
      help                 this text
      info                 the CUDA device, driver, NVRTC and cuBLAS found (exit 2 when there is none)
      parity               every kernel/op vs CpuBackend, then whole-model parity; JSON report
          --out FILE         report path (parity.json)
          --model DIR        model folder for the tiny-model check (default models/quicksilver-tiny if present)
          --seed N           input seed (default: fresh each run; printed so a run can be repeated)
          --only a,b         run only these checks (names in the report)
          --timeout S        per-check time limit in seconds (180); each check runs in its own process
          --in-process       run the checks in this process instead (a kernel fault then ends the run)
          --kernel-dir DIR   compile kernels from DIR (e.g. kernels/) instead of the embedded copies
          --dry-run [bf16]   compare the CPU backend with itself, or with a copy rounding activations to bf16
                             (tests the harness and the tolerances where there is no GPU)
      compile              compile every kernel with NVRTC only (no GPU needed), as the backend would
          --arch sm_90       target architecture
          --cache DIR        also store the CUBINs in this kernel cache (pods then start without compiling)
          --kernel-dir DIR   as above
      bench                LLaDA-8B-shaped forward with random bf16 weights created on the device; JSON report
          --out FILE         report path (bench.json)
          --batches 1,8,32   sequences per step
          --prompt N --gen N canvas = prompt + gen masks (512 + 256); LM head on the gen positions only
          --layers N --hidden N --heads N --intermediate N   a smaller model (32, 4096, hidden/128, 3·hidden)
          --block-batches 1,16   sequences per dual-cache block step (refresh, block step and its breakdown; ≥ 10 timed each)
          --block N          block length of those steps (32)
          --modelled-steps N steps of the answer the modelled tokens/s assumes (32: one refresh per block, block steps for the rest)
          --warmup N --iters N   steps before / timed per batch (2 / 5); the median is reported
          --attention K      auto | tensor-core | simple
          --gemm-n N         size of the peak GEMM (8192)
          --budget S         stop starting new batch sizes after S seconds (240)
          --kernel-dir DIR   as above
      decode               whole answers through the engine's step loop (DiffusionEngine) on the same shape, no cache /
                           prefix / dual cache, by concurrency and decoding; JSON report
          --out FILE         report path (decode.json)
          --concurrency 1,16 requests decoded together
          --steps 32,64,256  fixed step counts per answer (then the threshold rule, --threshold 0.9)
          --prompt N --gen N --block N   prompt tokens, answer tokens, block length (512, 256, 32)
          --layers N --hidden N --heads N --intermediate N   a smaller model, as for bench
          --model DIR        a model folder's trained weights instead (agreement of the caches on a trained model)
          --budget S         skip cells whose estimated time no longer fits S seconds (240)
          --kernel-dir DIR   as above

    exit codes: 0 success, 1 a check failed, 2 no usable CUDA device, 3 bad arguments
    environment: QS_KERNEL_CACHE (compiled kernel cache), QS_CUDA_LIB_DIRS (extra library folders), QS_CUDA_SYNC=1
    """;

try
{
    var args0 = new CommandLine(args);
    switch (args0.Command)
    {
        case "help":
        case "--help":
        case "-h":
            Console.WriteLine(Usage);
            return 0;
        case "info":
            return Info(args0);
        case "parity":
            return ParityRunner.Run(args0);
        case "parity-check":
            return ParityCheckRunner.RunChild(args0);
        case "bench":
            return BenchRunner.Run(args0);
        case "decode":
            return DecodeRunner.Run(args0);
        case "compile":
            return Compile(args0);
        default:
            Console.Error.WriteLine($"unknown command '{args0.Command}'");
            Console.Error.WriteLine(Usage);
            return 3;
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 3;
}
catch (FormatException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 3;
}
catch (CudaException e)
{
    Console.Error.WriteLine($"CUDA error: {e.Message}");
    return e.Message.StartsWith("No usable CUDA device", StringComparison.Ordinal) ? 2 : 1;
}

static int Compile(CommandLine args)
{
    IReadOnlyList<KernelBuildResult> results = CudaKernelPrecompiler.CompileAll(
        args.String("arch", "sm_90"),
        args.OptionalString("kernel-dir"),
        args.OptionalString("cache"),
        Console.WriteLine);
    int failed = results.Count(r => r.Error is not null);
    Console.WriteLine($"compile: {results.Count - failed} of {results.Count} programs compiled");
    return failed == 0 ? 0 : 1;
}

static int Info(CommandLine args)
{
    try
    {
        using var backend = new CudaBackend(new CudaBackendOptions { PrecompileKernels = args.Flag("compile"), KernelSourceDirectory = args.OptionalString("kernel-dir"), Log = Console.WriteLine });
        Console.WriteLine(backend.Description);
        Console.WriteLine($"libraries: {backend.Libraries}");
        (long free, long total) = backend.MemoryInfo();
        Console.WriteLine($"memory: {free / (1024.0 * 1024 * 1024):F1} GiB free of {total / (1024.0 * 1024 * 1024):F1} GiB");
        return 0;
    }
    catch (CudaException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
}
