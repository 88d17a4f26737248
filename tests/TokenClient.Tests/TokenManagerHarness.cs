using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace TokenClient.Tests;

/// <summary>The real token management services with a fake clock and an in-memory token endpoint.</summary>
public sealed class TokenManagerHarness : IAsyncDisposable
{
    public const string Client = "billing";
    public const string Secret = "s3cret:with%specials";

    private readonly ServiceProvider _services;

    public TokenManagerHarness(Dictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>
            {
                [$"TokenClient:{Client}:TokenEndpoint"] = "http://idp.test/realms/m2m/protocol/openid-connect/token",
                [$"TokenClient:{Client}:ClientId"] = "payments-service",
                [$"TokenClient:{Client}:ClientSecret"] = Secret,
                [$"TokenClient:{Client}:Scope"] = "billing:read",
                [$"TokenClient:{Client}:RequireHttps"] = "false",
            })
            .Build();

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostEnvironment>(new DevelopmentEnvironment());
        services.AddLogging();
        services.AddMetrics();
        services.AddTokenClient(Client);
        services.AddHttpClient(TokenEndpointClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Endpoint);
        _services = services.BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public StubTokenEndpoint Endpoint { get; } = new();

    public IServiceProvider Services => _services;

    public ClientCredentialsTokenManager Tokens => _services.GetRequiredService<ClientCredentialsTokenManager>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
