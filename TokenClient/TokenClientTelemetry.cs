using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TokenClient;

/// <summary>One <c>acquire token</c> span per token request and four counters; tags carry client name and scope, never a token.</summary>
public sealed class TokenClientTelemetry
{
    public const string Name = "TokenClient";

    internal static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _requests;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _retries;

    public TokenClientTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _requests = meter.CreateCounter<long>("token_client.requests", "{request}", "Requests sent to a token endpoint.");
        _cacheHits = meter.CreateCounter<long>("token_client.cache_hits", "{hit}", "Tokens served from the cache.");
        _failures = meter.CreateCounter<long>("token_client.failures", "{failure}", "Token requests that gave no token.");
        _retries = meter.CreateCounter<long>("token_client.retries", "{retry}", "Calls replayed with a new token after 401 invalid_token.");
    }

    internal static Activity? StartAcquisition(string clientName, string scope)
    {
        var activity = ActivitySource.StartActivity("acquire token", ActivityKind.Internal);
        activity?.SetTag("token_client.name", clientName);
        activity?.SetTag("token_client.scope", scope);
        return activity;
    }

    /// <summary>One span per token exchange: the caller's trace shows the exchange, never the tokens.</summary>
    internal static Activity? StartExchange(string clientName, string scope, string? audience)
    {
        var activity = ActivitySource.StartActivity("exchange token", ActivityKind.Internal);
        activity?.SetTag("token_client.name", clientName);
        activity?.SetTag("token_client.scope", scope);
        activity?.SetTag("token_client.grant_type", TokenExchange.GrantType);
        if (audience is not null)
        {
            activity?.SetTag("token_client.audience", audience);
        }

        return activity;
    }

    internal void TokenRequested(string clientName) => _requests.Add(1, Tag(clientName));

    internal void CacheHit(string clientName) => _cacheHits.Add(1, Tag(clientName));

    internal void TokenFailed(string clientName, string errorType) =>
        _failures.Add(1, Tag(clientName), new KeyValuePair<string, object?>("error.type", errorType));

    internal void Retried(string clientName) => _retries.Add(1, Tag(clientName));

    private static KeyValuePair<string, object?> Tag(string clientName) => new("token_client.name", clientName);
}
