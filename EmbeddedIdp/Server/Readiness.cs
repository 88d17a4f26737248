using EmbeddedIdp.Realm;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenIddict.EntityFrameworkCore.Models;

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

/// <summary>
/// Keeps the token store bounded (OpenIddict.Quartz is not available here): every minute it removes expired and
/// revoked entries, then the oldest beyond <see cref="EmbeddedIdpOptions.MaxStoredTokens"/>. The store therefore holds at
/// most that many entries plus one minute of issuance, however many tokens are requested.
/// </summary>
public sealed class TokenPruning(IServiceScopeFactory scopes, IOptions<EmbeddedIdpOptions> options, ILogger<TokenPruning> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private const int DeleteBatch = 1_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var removed = await PruneAsync(scopes, options.Value.MaxStoredTokens, stoppingToken);
                if (removed > 0)
                {
                    logger.LogInformation("Pruned {Count} token entries", removed);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Pruning token entries failed; will retry in a minute");
            }
        }
    }

    /// <summary>One pass: expired and revoked entries, then the oldest beyond <paramref name="maxStored"/>. Returns how many went.</summary>
    public static async Task<long> PruneAsync(IServiceScopeFactory scopes, int maxStored, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<OpenIddict.Abstractions.IOpenIddictTokenManager>();
        var removed = await tokens.PruneAsync(DateTimeOffset.UtcNow, cancellationToken);

        var entries = scope.ServiceProvider.GetRequiredService<IdpDbContext>().Set<OpenIddictEntityFrameworkCoreToken>();
        var count = await entries.CountAsync(cancellationToken);
        // The oldest beyond the cap go, in batches (creation dates can tie: entries are picked by id, not by a date cut).
        for (var excess = count - maxStored; excess > 0; excess -= DeleteBatch)
        {
            var oldest = await entries.OrderBy(t => t.CreationDate).ThenBy(t => t.Id)
                .Select(t => t.Id).Take(Math.Min(excess, DeleteBatch)).ToListAsync(cancellationToken);
            removed += await entries.Where(t => oldest.Contains(t.Id)).ExecuteDeleteAsync(cancellationToken);
        }

        return removed;
    }
}
