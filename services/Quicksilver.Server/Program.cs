using Quicksilver.Server.Extensions;
using Quicksilver.Server.Telemetry;

var builder = WebApplication.CreateBuilder(args);

builder.AddQuicksilverServer(args);
builder.AddQuicksilverModel();
builder.AddQuicksilverTelemetry();

var app = builder.Build();

app.UseOpenAIExceptionHandler();
app.MapQuicksilverApis();

return app.RunQuicksilverServer();
