using System.Buffers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.Tokens;

namespace ResourceServer;

/// <summary>
/// Remembers tokens that passed every check, keyed by the SHA-256 of the whole token (header, payload and
/// signature), for a short time (never beyond the token's <c>exp</c>) and only for the key set that validated
/// them: when the issuer's keys change, every entry is forgotten. A token that differs in a single character has
/// another key, so it is always validated in full; a hit only ever skips work that succeeded for the same bytes.
/// </summary>
internal sealed class ValidatedTokenCache(int capacity, TimeSpan duration, TimeProvider timeProvider) : IDisposable
{
    private readonly MemoryCache _entries = new(new MemoryCacheOptions { SizeLimit = capacity });

    public static string KeyOf(string token) => KeyOf(token.AsSpan());

    public static string KeyOf(ReadOnlySpan<char> token)
    {
        // Hashed from a stack (or pooled) buffer: a cache hit allocates only the 44-character key.
        var maxBytes = Encoding.UTF8.GetMaxByteCount(token.Length);
        byte[]? rented = null;
        var bytes = maxBytes <= 4096 ? stackalloc byte[maxBytes] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes[..Encoding.UTF8.GetBytes(token, bytes)], hash);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return Convert.ToBase64String(hash);
    }

    /// <summary>A hit only for an entry made under key set <paramref name="keySetVersion"/> and not yet expired.</summary>
    public bool TryGet(string key, long keySetVersion, out TokenValidationResult result)
    {
        // Checked here as well as by the cache's own expiry, so a hit can never outlive the token or its key set.
        if (_entries.TryGetValue(key, out Entry? entry) && entry is not null && entry.KeySetVersion == keySetVersion
            && timeProvider.GetUtcNow() < entry.Expires)
        {
            result = new TokenValidationResult
            {
                IsValid = true,
                SecurityToken = entry.Token,
                // Each request gets its own identity: downstream code may add claims to it.
                ClaimsIdentity = entry.Identity.Clone(),
                Issuer = entry.Token.Issuer,
            };
            return true;
        }

        result = null!;
        return false;
    }

    public void Add(string key, TokenValidationResult result, long keySetVersion)
    {
        var now = timeProvider.GetUtcNow();
        var tokenExpires = new DateTimeOffset(result.SecurityToken.ValidTo, TimeSpan.Zero);
        var expires = tokenExpires < now + duration ? tokenExpires : now + duration;
        if (expires <= now)
        {
            return;
        }

        // A full cache drops new entries instead of growing: those tokens are simply validated every time.
        _entries.Set(key, new Entry(result.SecurityToken, result.ClaimsIdentity, expires, keySetVersion),
            new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = expires });
    }

    /// <summary>Forgets every entry (the key set changed).</summary>
    public void Clear() => _entries.Clear();

    public void Dispose() => _entries.Dispose();

    private sealed record Entry(SecurityToken Token, ClaimsIdentity Identity, DateTimeOffset Expires, long KeySetVersion);
}
