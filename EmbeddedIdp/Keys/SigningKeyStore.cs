using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace EmbeddedIdp.Keys;

/// <summary>
/// RSA signing keys persisted as PEM files under <c>{DataPath}/keys</c>, so tokens survive a restart.
/// The newest key signs; the previous one stays in JWKS and keeps verifying the tokens it signed (Keycloak's
/// "active + passive" keys). Rotation creates a new key and keeps only the previous one besides it.
/// </summary>
public sealed class SigningKeyStore
{
    private const int KeysKept = 2;

    private SigningKeyStore(IReadOnlyList<RsaSecurityKey> keys) => Keys = keys;

    /// <summary>Newest first: <c>Keys[0]</c> signs new tokens, every key verifies.</summary>
    public IReadOnlyList<RsaSecurityKey> Keys { get; }

    public RsaSecurityKey Active => Keys[0];

    public static SigningKeyStore Open(string dataPath, bool rotate, ILogger logger)
    {
        var folder = Path.Combine(dataPath, "keys");
        Directory.CreateDirectory(folder);

        // Name = creation time + kid, so the file order is the age order.
        var files = Directory.GetFiles(folder, "*.pem").Order(StringComparer.Ordinal).Reverse().ToList();
        if (files.Count == 0 || rotate)
        {
            files.Insert(0, CreateKey(folder));
            logger.LogInformation(files.Count == 1 ? "Created the first signing key" : "Rotated the signing key: a new key is active, the previous one still verifies");
        }

        foreach (var old in files.Skip(KeysKept))
        {
            File.Delete(old);
        }

        return new SigningKeyStore(files.Take(KeysKept).Select(Load).ToList());
    }

    private static string CreateKey(string folder)
    {
        using var rsa = RSA.Create(2048);
        var kid = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));
        var path = Path.Combine(folder, $"{DateTimeOffset.UtcNow:yyyyMMddHHmmssfff}_{kid}.pem");
        File.WriteAllText(path, rsa.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    private static RsaSecurityKey Load(string path)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(path));
        var kid = Path.GetFileNameWithoutExtension(path).Split('_', 2)[1];
        return new RsaSecurityKey(rsa) { KeyId = kid };
    }
}
