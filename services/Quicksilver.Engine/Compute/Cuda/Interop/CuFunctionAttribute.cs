namespace Quicksilver.Engine.Compute.Cuda.Interop;

/// <summary>The <c>CUfunction_attribute</c> values the backend sets.</summary>
internal enum CuFunctionAttribute
{
    CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8,
}
