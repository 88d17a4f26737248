using System.Security.Cryptography;

namespace TestSupport;

/// <summary>
/// The private signing keys an EmbeddedIdp keeps in its data folder (<c>keys/{created}_{kid}.pem</c>), read as a
/// thief of that folder would: tokens signed with them carry the IdP's own valid signature.
/// </summary>
public static class IdpKeyFiles
{
    /// <summary>Newest first: the first key is the one the IdP signs with now.</summary>
    public static IReadOnlyList<(string Kid, RSA Key)> Read(string dataPath) =>
        Directory.GetFiles(Path.Combine(dataPath, "keys"), "*.pem")
            .Order(StringComparer.Ordinal)
            .Reverse()
            .Select(path =>
            {
                var rsa = RSA.Create();
                rsa.ImportFromPem(File.ReadAllText(path));
                return (Path.GetFileNameWithoutExtension(path).Split('_', 2)[1], rsa);
            })
            .ToList();
}
