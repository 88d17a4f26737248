using System.ComponentModel;

namespace TokenClient;

/// <summary>
/// An access token with the two instants that matter to its cache: when to fetch the next one
/// (<see cref="RefreshAt"/>) and when this one stops being usable (<see cref="ExpiresAt"/>).
/// </summary>
/// <remarks>Immutable and sealed, so HybridCache keeps the instance in memory instead of copying it per read.</remarks>
[ImmutableObject(true)]
public sealed record AccessToken(string Value, string? Scope, DateTimeOffset ExpiresAt, DateTimeOffset RefreshAt)
{
    /// <summary>Refresh at most this long before expiry...</summary>
    public static readonly TimeSpan MaxRefreshBuffer = TimeSpan.FromSeconds(60);

    /// <summary>...and at most this share of the lifetime, so a 30-second token is still cached for 24 seconds.</summary>
    public const double MaxRefreshBufferShare = 0.2;

    /// <summary>
    /// Builds a token whose lifetime counts from <paramref name="requestedAt"/> (when the request was sent, not
    /// when the answer arrived), so network time and the IdP's clock can only make us refresh early.
    /// </summary>
    public static AccessToken Create(string value, string? scope, DateTimeOffset requestedAt, TimeSpan? lifetime)
    {
        // Without expires_in the lifetime is unknown: use the token for the calls waiting on it, never cache it.
        var validFor = lifetime is { } known && known > TimeSpan.Zero ? known : TimeSpan.Zero;
        var buffer = TimeSpan.FromTicks(Math.Min(MaxRefreshBuffer.Ticks, (long)(validFor.Ticks * MaxRefreshBufferShare)));
        return new AccessToken(value, scope, requestedAt + validFor, requestedAt + validFor - buffer);
    }

    /// <summary>Never prints <see cref="Value"/>: records would otherwise put the token in every log line that mentions one.</summary>
    public override string ToString() => $"AccessToken {{ Scope = {Scope}, ExpiresAt = {ExpiresAt:O}, RefreshAt = {RefreshAt:O} }}";
}
