namespace Quicksilver.Engine.Compute;

/// <summary>A model parameter made resident on a backend (mapped in place on CPU, uploaded on CUDA).</summary>
public interface IWeight : IDisposable
{
    /// <summary>The checkpoint tensor name.</summary>
    string Name { get; }

    /// <summary>Rows (the output features of a linear layer; the entries of an embedding table).</summary>
    int Rows { get; }

    /// <summary>Elements per row (1-D tensors have one row).</summary>
    int Columns { get; }
}
