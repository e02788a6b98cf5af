using Quicksilver.Engine.Models;

namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>
/// REAL ENGINE: <see cref="KvCacheModelFixture"/>'s deployment (<c>KvCache</c> <c>dual</c>, 8 KiB
/// <c>MaxKvCacheBytes</c>) on a tiny Dream model (shifted logits, 2 of 4 heads for keys and values): 256 bytes of
/// cache per canvas token (2 layers × keys and values × 16 fp32), so the limit holds a canvas of 32.
/// </summary>
public sealed class DreamKvCacheModelFixture() : TinyModelFixture(KvCacheModelFixture.Settings, ModelArchitecture.Dream);
