using EmbeddedIdp.Realm;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EmbeddedIdp.Server;

/// <summary>
/// Sends one real token request to this server once it listens, so JIT, EF Core and the key load happen before
/// <c>/health</c> says ready rather than in the first caller's request.
/// </summary>
public sealed class WarmUp(IServer server, IHostApplicationLifetime lifetime, RealmModel realm, ILogger<WarmUp> logger)
    : BackgroundService, IHealthCheck
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _failure = "warming up";

    /// <summary>Completes when the warm-up token request succeeded (faults if it failed); tests await it.</summary>
    public Task Ready => _ready.Task;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_failure is null ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(_failure));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(started.SetResult);
        await started.Task.WaitAsync(stoppingToken);

        try
        {
            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? throw new InvalidOperationException("The server reports no address.");
            using var http = new HttpClient { BaseAddress = new Uri(Loopback(address) + "/"), Timeout = TimeSpan.FromSeconds(30) };

            (await http.GetAsync($"realms/{realm.Name}/protocol/openid-connect/certs", stoppingToken)).EnsureSuccessStatusCode();
            if (realm.Clients.Values.FirstOrDefault(c => c.Enabled && c.ServiceAccountsEnabled && c.ServiceAccountUserEnabled) is { } client)
            {
                using var response = await http.PostAsync($"realms/{realm.Name}/protocol/openid-connect/token",
                    new FormUrlEncodedContent(new Dictionary<string, string>
                    {
                        ["grant_type"] = "client_credentials",
                        ["client_id"] = client.ClientId,
                        ["client_secret"] = client.Secret,
                    }), stoppingToken);
                response.EnsureSuccessStatusCode();
            }

            _failure = null;
            _ready.TrySetResult();
            logger.LogInformation("EmbeddedIdp is ready: realm {Realm} with {Count} clients", realm.Name, realm.Clients.Count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _failure = "the warm-up token request failed";
            _ready.TrySetException(ex);
            logger.LogError(ex, "EmbeddedIdp warm-up failed; /health stays unhealthy");
        }
    }

    // Kestrel reports wildcard hosts (http://[::]:8080, http://+:8080) that a client cannot call.
    private static string Loopback(string address)
    {
        var uri = new UriBuilder(address.Replace("://+", "://localhost").Replace("://*", "://localhost"));
        if (uri.Host is "[::]" or "0.0.0.0")
        {
            uri.Host = "localhost";
        }

        return uri.Uri.GetLeftPart(UriPartial.Authority);
    }
}

/// <summary>Removes expired and revoked token entries once an hour (OpenIddict.Quartz is not available here).</summary>
public sealed class TokenPruning(IServiceScopeFactory scopes, ILogger<TokenPruning> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var tokens = scope.ServiceProvider.GetRequiredService<OpenIddict.Abstractions.IOpenIddictTokenManager>();
                var removed = await tokens.PruneAsync(DateTimeOffset.UtcNow.AddDays(-1), stoppingToken);
                logger.LogInformation("Pruned {Count} token entries", removed);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Pruning token entries failed; will retry in an hour");
            }
        }
    }
}
