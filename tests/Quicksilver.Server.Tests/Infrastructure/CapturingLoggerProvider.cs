using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Quicksilver.Server.Tests.Infrastructure;

/// <summary>Keeps every log entry of a test server, to check what was (not) logged.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    /// <summary>The categories of the exception-handling middlewares (ExceptionHandlerMiddleware and the like).</summary>
    public const string ExceptionHandlerCategoryPrefix = "Microsoft.AspNetCore.Diagnostics.";

    private readonly ConcurrentQueue<LogEntry> entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. entries];

    /// <summary>Exceptions that reached the exception-handling middleware: each one was a 500.</summary>
    public IReadOnlyList<LogEntry> UnhandledExceptions =>
        [.. entries.Where(e => e.Category.StartsWith(ExceptionHandlerCategoryPrefix, StringComparison.Ordinal) && e.Level >= LogLevel.Error)];

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, entries);

    public void Dispose()
    {
    }

    public sealed record LogEntry(string Category, LogLevel Level, string Message, Exception? Exception);

    private sealed class CapturingLogger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception), exception));
    }
}
