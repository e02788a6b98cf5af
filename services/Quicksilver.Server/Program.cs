using Quicksilver.Http;
using Quicksilver.Server.Extensions;
using Quicksilver.Server.Telemetry;

var builder = WebApplication.CreateBuilder(args);

builder.AddQuicksilverServer(args);
builder.AddQuicksilverModel();
builder.AddQuicksilverTelemetry();

var app = builder.Build();

app.UseMiddleware<RequestIdMiddleware>();
app.UseOpenAIExceptionHandler();
app.MapQuicksilverApis();

return app.RunQuicksilverServer();
