namespace TestSupport;

/// <summary>The checkout the tests run from, found by walking up from the test binaries to the solution file.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "M2MDemo.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("No M2MDemo.sln above " + AppContext.BaseDirectory);
    }
}
