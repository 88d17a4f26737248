using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.Tokens;

namespace ResourceServer;

/// <summary>
/// Remembers tokens that passed every check, keyed by the SHA-256 of the whole token (header, payload and
/// signature), until the token's <c>exp</c>. A token that differs in a single character has another key, so
/// it is always validated in full; a hit only ever skips work that succeeded for exactly the same bytes.
/// </summary>
internal sealed class ValidatedTokenCache(int capacity, TimeProvider timeProvider) : IDisposable
{
    private readonly MemoryCache _entries = new(new MemoryCacheOptions { SizeLimit = capacity });

    public static string KeyOf(string token)
    {
        var bytes = Encoding.UTF8.GetBytes(token);
        return Convert.ToBase64String(SHA256.HashData(bytes));
    }

    public bool TryGet(string key, out TokenValidationResult result)
    {
        // Checked here as well as by the cache's own expiry, so a hit can never outlive the token.
        if (_entries.TryGetValue(key, out Entry? entry) && entry is not null && timeProvider.GetUtcNow() < entry.Expires)
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

    public void Add(string key, TokenValidationResult result)
    {
        var expires = new DateTimeOffset(result.SecurityToken.ValidTo, TimeSpan.Zero);
        if (expires <= timeProvider.GetUtcNow())
        {
            return;
        }

        // A full cache drops new entries instead of growing: those tokens are simply validated every time.
        _entries.Set(key, new Entry(result.SecurityToken, result.ClaimsIdentity, expires),
            new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = expires });
    }

    public void Dispose() => _entries.Dispose();

    private sealed record Entry(SecurityToken Token, ClaimsIdentity Identity, DateTimeOffset Expires);
}
