using Quicksilver.ModelBuilder;

BuilderOptions options;
try
{
    options = BuilderOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine();
    Console.Error.WriteLine(BuilderOptions.Usage);
    return 2;
}

if (options.ShowHelp)
{
    Console.WriteLine(BuilderOptions.Usage);
    return 0;
}

try
{
    ModelFolderBuilder.Build(options, Console.Out);
    return 0;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
