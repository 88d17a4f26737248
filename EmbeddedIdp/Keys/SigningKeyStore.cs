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
        CreateOwnerOnlyFolder(folder);

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
        // Owner-only from the first byte: created with mode 0600, never written first and restricted after.
        var file = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, System.Text.Encoding.ASCII, file))
        {
            writer.Write(rsa.ExportPkcs8PrivateKeyPem());
        }

        return path;
    }

    /// <summary>The key folder is the owner's alone (0700), whether created now or found with looser rights.</summary>
    private static void CreateOwnerOnlyFolder(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }

        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(folder, OwnerOnly);
        File.SetUnixFileMode(folder, OwnerOnly);
    }

    private static RsaSecurityKey Load(string path)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(path));
        var kid = Path.GetFileNameWithoutExtension(path).Split('_', 2)[1];
        return new RsaSecurityKey(rsa) { KeyId = kid };
    }
}
