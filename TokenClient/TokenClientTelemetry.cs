using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ServiceDefaults.TokenManagement;

/// <summary>
/// One span per token acquisition and four counters. Names start with <c>M2MDemo.</c> so ServiceDefaults exports them.
/// Tags carry the client name and scope, never a token or a secret.
/// </summary>
public sealed class TokenManagementTelemetry
{
    public const string Name = "M2MDemo.TokenManagement";

    internal static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _requests;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _retries;

    public TokenManagementTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _requests = meter.CreateCounter<long>("m2mdemo.token.requests", "{request}", "Requests sent to a token endpoint.");
        _cacheHits = meter.CreateCounter<long>("m2mdemo.token.cache_hits", "{hit}", "Tokens served from the cache.");
        _failures = meter.CreateCounter<long>("m2mdemo.token.failures", "{failure}", "Token requests that gave no token.");
        _retries = meter.CreateCounter<long>("m2mdemo.token.retries", "{retry}", "Calls replayed with a new token after 401 invalid_token.");
    }

    internal static Activity? StartAcquisition(string clientName, string scope)
    {
        var activity = ActivitySource.StartActivity("acquire token", ActivityKind.Internal);
        activity?.SetTag("m2mdemo.token.client", clientName);
        activity?.SetTag("m2mdemo.token.scope", scope);
        return activity;
    }

    internal void TokenRequested(string clientName) => _requests.Add(1, Tag(clientName));

    internal void CacheHit(string clientName) => _cacheHits.Add(1, Tag(clientName));

    internal void TokenFailed(string clientName, string errorType) =>
        _failures.Add(1, Tag(clientName), new KeyValuePair<string, object?>("error.type", errorType));

    internal void Retried(string clientName) => _retries.Add(1, Tag(clientName));

    private static KeyValuePair<string, object?> Tag(string clientName) => new("m2mdemo.token.client", clientName);
}
