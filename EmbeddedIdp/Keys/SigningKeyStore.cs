using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace EmbeddedIdp.Keys;

/// <summary>
/// RSA signing keys persisted as PEM files under <c>{DataPath}/keys</c>, so tokens survive a restart.
/// The newest key signs; the previous one stays in JWKS and keeps verifying the tokens it signed (Keycloak's
/// "active + passive" keys). Rotation creates a new key and keeps only the previous one besides it; a passive key
/// can be withdrawn, after which JWKS no longer lists it and its tokens stop verifying (Keycloak: disabling the key).
/// </summary>
public sealed class SigningKeyStore
{
    private const int KeysKept = 2;

    private readonly string _folder;
    private readonly ILogger _logger;
    private readonly Lock _writeLock = new();

    // Readers take one consistent snapshot; writers swap in a new list under the lock.
    private volatile IReadOnlyList<RsaSecurityKey> _keys;

    private SigningKeyStore(string folder, ILogger logger, IReadOnlyList<RsaSecurityKey> keys) =>
        (_folder, _logger, _keys) = (folder, logger, keys);

    /// <summary>Newest first: <c>Keys[0]</c> signs new tokens, every key verifies.</summary>
    public IReadOnlyList<RsaSecurityKey> Keys => _keys;

    public RsaSecurityKey Active => _keys[0];

    public static SigningKeyStore Open(string dataPath, bool rotate, ILogger logger)
    {
        var folder = Path.Combine(dataPath, "keys");
        CreateOwnerOnlyFolder(folder);

        var store = new SigningKeyStore(folder, logger, Load(folder));
        if (store._keys.Count == 0 || rotate)
        {
            store.Rotate();
        }

        return store;
    }

    /// <summary>Makes a new key active; the previous active key stays as the one passive key. Returns the new key.</summary>
    public RsaSecurityKey Rotate()
    {
        lock (_writeLock)
        {
            CreateKeyFile(_folder);
            var files = KeyFiles(_folder);
            foreach (var old in files.Skip(KeysKept))
            {
                File.Delete(old);
            }

            _keys = Load(_folder);
            _logger.LogInformation(_keys.Count == 1
                ? "Created the first signing key {Kid}"
                : "Rotated the signing key: {Kid} is active, the previous one still verifies", _keys[0].KeyId);
            return _keys[0];
        }
    }

    /// <summary>Removes a passive key from JWKS and from verification. The active key cannot be withdrawn (rotate first).</summary>
    public WithdrawResult Withdraw(string kid)
    {
        lock (_writeLock)
        {
            var index = _keys.ToList().FindIndex(key => key.KeyId == kid);
            if (index < 0)
            {
                return WithdrawResult.Unknown;
            }

            if (index == 0)
            {
                return WithdrawResult.Active;
            }

            foreach (var file in KeyFiles(_folder).Where(file => KidOf(file) == kid))
            {
                File.Delete(file);
            }

            _keys = Load(_folder);
            _logger.LogInformation("Withdrew signing key {Kid}: it is no longer published and its tokens no longer verify", kid);
            return WithdrawResult.Withdrawn;
        }
    }

    // Name = creation time + kid, so the file order is the age order (newest first).
    private static List<string> KeyFiles(string folder) =>
        [.. Directory.GetFiles(folder, "*.pem").Order(StringComparer.Ordinal).Reverse()];

    private static IReadOnlyList<RsaSecurityKey> Load(string folder) => [.. KeyFiles(folder).Take(KeysKept).Select(LoadKey)];

    private static void CreateKeyFile(string folder)
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

    private static string KidOf(string path) => Path.GetFileNameWithoutExtension(path).Split('_', 2)[1];

    private static RsaSecurityKey LoadKey(string path)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(path));
        return new RsaSecurityKey(rsa) { KeyId = KidOf(path) };
    }
}

public enum WithdrawResult
{
    Withdrawn,
    Unknown,
    Active,
}
