using Quicksilver.Server.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddQuicksilverServer(args);
builder.AddQuicksilverModel();

var app = builder.Build();

app.UseOpenAIExceptionHandler();
app.MapQuicksilverApis();

app.Run();
