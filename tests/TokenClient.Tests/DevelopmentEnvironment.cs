using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace TokenClient.Tests;

/// <summary>A host environment named Development, the one place plain-http settings are accepted.</summary>
public sealed class DevelopmentEnvironment : IHostEnvironment
{
    public string EnvironmentName { get; set; } = Environments.Development;
    public string ApplicationName { get; set; } = "TokenClient.Tests";
    public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
    public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
}
