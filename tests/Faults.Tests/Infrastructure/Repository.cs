namespace Faults.Tests.Infrastructure;

/// <summary>Where the repository and the services' build outputs are, found from the test binaries.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>The service's own build output, in the configuration the tests were built in (the project references build it).</summary>
    public static string OutputOf(string project)
    {
        // …/tests/Faults.Tests/bin/{Configuration}/{TargetFramework}/
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!.Name;
        var dll = Path.Combine(Root, project, "bin", configuration, framework.Name, project + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"{project} is not built: {dll}");
    }

    public static string RealmFile => Path.Combine(Root, "keycloak-realm", "m2m-realm.json");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "keycloak-realm", "m2m-realm.json")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("The repository root (with keycloak-realm/m2m-realm.json) is not above " + AppContext.BaseDirectory);
    }
}
