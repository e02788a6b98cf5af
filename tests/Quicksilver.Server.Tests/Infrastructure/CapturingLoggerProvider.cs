using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>Keeps every log entry of a test server, to check what was (not) logged.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    /// <summary>The categories of the exception-handling middlewares (ExceptionHandlerMiddleware and the like).</summary>
    public const string ExceptionHandlerCategoryPrefix = "Microsoft.AspNetCore.Diagnostics.";

    private readonly ConcurrentQueue<LogEntry> entries = new();
    private IExternalScopeProvider? scopes;

    public IReadOnlyList<LogEntry> Entries => [.. entries];

    /// <summary>Exceptions that reached the exception-handling middleware: each one was a 500.</summary>
    public IReadOnlyList<LogEntry> UnhandledExceptions =>
        [.. entries.Where(e => e.Category.StartsWith(ExceptionHandlerCategoryPrefix, StringComparison.Ordinal) && e.Level >= LogLevel.Error)];

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, entries, () => scopes);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose()
    {
    }

    /// <param name="Scope">The key/value pairs of the scopes open when the entry was written (innermost wins).</param>
    public sealed record LogEntry(string Category, LogLevel Level, string Message, Exception? Exception, IReadOnlyDictionary<string, object?> Scope);

    private sealed class CapturingLogger(string category, ConcurrentQueue<LogEntry> entries, Func<IExternalScopeProvider?> scopes) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => scopes()?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new Dictionary<string, object?>(StringComparer.Ordinal);
            scopes()?.ForEachScope(
                static (value, pairs) =>
                {
                    if (value is IEnumerable<KeyValuePair<string, object?>> values)
                    {
                        foreach ((string key, object? item) in values)
                        {
                            pairs[key] = item;
                        }
                    }
                },
                scope);
            entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception), exception, scope));
        }
    }
}
