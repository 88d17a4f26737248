using TestSupport;

namespace Template.Tests;

/// <summary>
/// <c>dotnet new install ./</c> then <c>dotnet new m2m-demo</c>, in a template hive of the test's own: the copy is renamed
/// throughout, builds, and passes the identity provider's tests with its own realm and client ids.
/// </summary>
public sealed class DotnetNewTests : IDisposable
{
    private static readonly TimeSpan TemplateTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("m2mdemo-template-");

    [Fact]
    public async Task The_template_gives_a_renamed_copy_that_builds_and_passes_its_identity_provider_tests()
    {
        var templateFile = RepositoryRoot.Combine(".template.config", "template.json");
        Assert.SkipUnless(File.Exists(templateFile), "This checkout was made from the template and carries no .template.config of its own.");
        var cancellationToken = TestContext.Current.CancellationToken;
        var hive = Path.Combine(_work.FullName, "hive");
        var copy = Path.Combine(_work.FullName, "Acme");

        await DotnetAsync(_work.FullName, TemplateTimeout, cancellationToken, "new", "install", RepositoryRoot.Path, "--debug:custom-hive", hive);
        await DotnetAsync(
            _work.FullName, TemplateTimeout, cancellationToken, "new", "m2m-demo", "-n", "Acme", "-o", copy,
            "--realm", "acme", "--callerClientId", "storefront", "--serviceClientId", "orders-service", "--debug:custom-hive", hive);

        Assert.True(File.Exists(Path.Combine(copy, "Acme.sln")), "The solution is not renamed.");
        Assert.False(Directory.Exists(Path.Combine(copy, ".git")) || File.Exists(Path.Combine(copy, ".git")), "The copy carries .git.");
        Assert.Empty(Directory.EnumerateDirectories(copy, "obj", SearchOption.AllDirectories));
        var leftovers = Directory.EnumerateFiles(copy, "*", SearchOption.AllDirectories)
            .Where(file => !file.EndsWith(".png", StringComparison.Ordinal) && File.ReadAllText(file).Contains("M2MDemo", StringComparison.Ordinal))
            .Select(file => Path.GetRelativePath(copy, file))
            .ToList();
        Assert.True(leftovers.Count == 0, "Still named M2MDemo: " + string.Join(", ", leftovers));
        var realm = await File.ReadAllTextAsync(Path.Combine(copy, "keycloak-realm", "m2m-realm.json"), cancellationToken);
        Assert.Contains("\"realm\": \"acme\"", realm);
        Assert.Contains("\"clientId\": \"storefront\"", realm);
        Assert.Contains("\"clientId\": \"orders-service\"", realm);
        Assert.Contains("http://localhost:8080/realms/acme", await File.ReadAllTextAsync(Path.Combine(copy, "Payments.Api", "appsettings.json"), cancellationToken));

        // The identity provider's tests: the realm file, token requests by the renamed clients, the issuer's path.
        // Run from the copy, whose global.json picks the test runner (Microsoft.Testing.Platform).
        var tests = Path.Combine("tests", "EmbeddedIdp.Tests");
        await DotnetAsync(copy, BuildTimeout, cancellationToken, "build", tests, "-nodeReuse:false", "-v", "q");
        await DotnetAsync(copy, BuildTimeout, cancellationToken, "test", "--project", tests, "--no-build");
    }

    private static async Task DotnetAsync(string workingDirectory, TimeSpan timeout, CancellationToken cancellationToken, params string[] arguments)
    {
        var result = await ExternalTool.RunAsync(
            "dotnet", arguments, timeout, cancellationToken, workingDirectory,
            new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" });
        Assert.True(result.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited with {result.ExitCode}:\n{result.Output}");
    }

    public void Dispose() => _work.Delete(recursive: true);
}
