using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using OpenIddict.EntityFrameworkCore.Models;

namespace EmbeddedIdp.Server;

/// <summary>
/// OpenIddict's application manager with the two costs of the token path removed: clients come from an
/// in-memory snapshot of the seeded realm instead of a database query, and secrets are checked with SHA-256
/// and a constant-time comparison instead of a deliberately slow PBKDF2 hash. That is sound because realm
/// secrets are high-entropy generated values, not human passwords.
/// </summary>
public sealed class RealmApplicationManager(
    IOpenIddictApplicationCache<OpenIddictEntityFrameworkCoreApplication> cache,
    ILogger<OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<OpenIddictEntityFrameworkCoreApplication> store,
    RealmApplications applications)
    : OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>(cache, logger, options, store)
{
    private const string Prefix = "sha256:";

    public override ValueTask<OpenIddictEntityFrameworkCoreApplication?> FindByClientIdAsync(
        string identifier, CancellationToken cancellationToken = default) =>
        applications.IsLoaded
            ? ValueTask.FromResult(applications.ByClientId.GetValueOrDefault(identifier))
            : base.FindByClientIdAsync(identifier, cancellationToken);

    public override ValueTask<OpenIddictEntityFrameworkCoreApplication?> FindByIdAsync(
        string identifier, CancellationToken cancellationToken = default) =>
        applications.IsLoaded
            ? ValueTask.FromResult(applications.ById.GetValueOrDefault(identifier))
            : base.FindByIdAsync(identifier, cancellationToken);

    protected override ValueTask<string> ObfuscateClientSecretAsync(string secret, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Prefix + Convert.ToBase64String(Hash(secret)));

    protected override ValueTask<bool> ValidateClientSecretAsync(string secret, string comparand, CancellationToken cancellationToken = default)
    {
        if (!comparand.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return ValueTask.FromResult(false);
        }

        var expected = Convert.FromBase64String(comparand[Prefix.Length..]);
        return ValueTask.FromResult(CryptographicOperations.FixedTimeEquals(Hash(secret), expected));
    }

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}

/// <summary>The seeded OpenIddict applications, loaded once after seeding and read by every request.</summary>
public sealed class RealmApplications
{
    private volatile Snapshot? _snapshot;

    public bool IsLoaded => _snapshot is not null;

    public FrozenDictionary<string, OpenIddictEntityFrameworkCoreApplication> ByClientId =>
        _snapshot?.ByClientId ?? FrozenDictionary<string, OpenIddictEntityFrameworkCoreApplication>.Empty;

    public FrozenDictionary<string, OpenIddictEntityFrameworkCoreApplication> ById =>
        _snapshot?.ById ?? FrozenDictionary<string, OpenIddictEntityFrameworkCoreApplication>.Empty;

    public void Load(IEnumerable<OpenIddictEntityFrameworkCoreApplication> applications)
    {
        var list = applications.ToList();
        _snapshot = new Snapshot(
            list.ToFrozenDictionary(a => a.ClientId!, StringComparer.Ordinal),
            list.ToFrozenDictionary(a => a.Id!, StringComparer.Ordinal));
    }

    private sealed record Snapshot(
        FrozenDictionary<string, OpenIddictEntityFrameworkCoreApplication> ByClientId,
        FrozenDictionary<string, OpenIddictEntityFrameworkCoreApplication> ById);
}
