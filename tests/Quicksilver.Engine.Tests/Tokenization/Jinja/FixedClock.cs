namespace Quicksilver.Engine.Tests.Tokenization.Jinja;

/// <summary>A clock that always reads <paramref name="now"/>, in UTC as the local time zone.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
}
