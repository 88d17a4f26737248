using System.Text.Json.Nodes;

namespace TestSupport;

/// <summary>A temporary copy of the repository's realm file with one change, for a test that needs another client setup.</summary>
public static class RealmCopy
{
    /// <summary>The realm with <paramref name="scope"/> added to <paramref name="clientId"/>'s optional scopes; returns the copy's path.</summary>
    public static string WithOptionalScope(string clientId, string scope)
    {
        var realm = JsonNode.Parse(File.ReadAllText(EmbeddedIdpFixture.RealmFilePath()))!;
        var client = realm["clients"]!.AsArray().Single(c => (string?)c!["clientId"] == clientId)!;
        client["optionalClientScopes"]!.AsArray().Add(scope);
        var path = Path.Combine(Path.GetTempPath(), $"m2m-realm-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, realm.ToJsonString());
        return path;
    }
}
