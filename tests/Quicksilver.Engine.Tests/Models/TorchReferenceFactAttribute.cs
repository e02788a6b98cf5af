using Quicksilver.Engine.Tests.TestModels;

namespace Quicksilver.Engine.Tests.Models;

/// <summary>A fact that needs PyTorch (<see cref="TorchReference"/>); skipped, saying why, where no Python has it.</summary>
public sealed class TorchReferenceFactAttribute : FactAttribute
{
    public TorchReferenceFactAttribute()
    {
        if (TorchReference.Python is null)
        {
            Skip = $"PyTorch reference unavailable: {TorchReference.Problem}";
        }
    }
}
