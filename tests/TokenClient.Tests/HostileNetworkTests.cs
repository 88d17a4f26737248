using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace TokenClient.Tests;

/// <summary>
/// Rule 4: the token client against an IdP (or a network) that redirects, lies in its discovery document or answers
/// with junk, over real HTTP with the client's real handler chain. Each answer comes from a real Kestrel server.
/// </summary>
public sealed class HostileNetworkTests : IAsyncLifetime
{
    private WebApplication _server = null!;
    private Uri _base = null!;
    private Func<HttpContext, Task> _discovery = null!;
    private Func<HttpContext, Task> _token = null!;
    private int _stolen;
    private int _discoveryReads;
    private int _tokenRequests;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Authority => $"{_base}realms/m2m";

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _server = builder.Build();
        _server.MapGet("/realms/m2m/.well-known/openid-configuration", context => { Interlocked.Increment(ref _discoveryReads); return _discovery(context); });
        _server.MapPost("/realms/m2m/protocol/openid-connect/token", context => { Interlocked.Increment(ref _tokenRequests); return _token(context); });
        _server.Map("/steal", context => { Interlocked.Increment(ref _stolen); return context.Response.WriteAsJsonAsync(Discovery()); });
        await _server.StartAsync(Ct);
        _base = new Uri(_server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        _discovery = context => context.Response.WriteAsJsonAsync(Discovery());
        _token = context => context.Response.WriteAsJsonAsync(new { access_token = "eyJ.a-b_c.d~e+f/g==", token_type = "Bearer", expires_in = 300 });
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Well_behaved_IdP_gives_a_token()
    {
        await using var client = Client();

        var token = await client.Tokens.GetTokenAsync("billing", cancellationToken: Ct);

        Assert.Equal("eyJ.a-b_c.d~e+f/g==", token.Value);
    }

    [Theory]
    [InlineData(HttpStatusCode.TemporaryRedirect)]
    [InlineData(HttpStatusCode.PermanentRedirect)]
    [InlineData(HttpStatusCode.Found)]
    public async Task Redirect_from_the_token_endpoint_is_not_followed_so_the_secret_goes_nowhere_else(HttpStatusCode status)
    {
        _token = context => Redirect(context, status);
        await using var client = Client();

        var error = await Assert.ThrowsAsync<TokenAcquisitionException>(() => client.Tokens.GetTokenAsync("billing", cancellationToken: Ct));

        Assert.Equal(status, error.StatusCode);
        Assert.Equal(0, _stolen);
    }

    [Fact]
    public async Task Redirect_of_the_discovery_document_is_not_followed()
    {
        _discovery = context => Redirect(context, HttpStatusCode.Found);
        await using var client = Client();

        await Assert.ThrowsAsync<TokenAcquisitionException>(() => client.Tokens.GetTokenAsync("billing", cancellationToken: Ct));

        Assert.Equal((0, 0), (_stolen, _tokenRequests));
    }

    [Fact]
    public async Task Discovery_naming_another_issuer_is_refused_before_any_secret_is_sent()
    {
        _discovery = context => context.Response.WriteAsJsonAsync(Discovery(issuer: "http://idp.evil.test/realms/m2m"));
        await using var client = Client();

        var error = await Assert.ThrowsAsync<TokenAcquisitionException>(() => client.Tokens.GetTokenAsync("billing", cancellationToken: Ct));

        Assert.Contains("names another issuer", error.Message);
        Assert.Equal(0, _tokenRequests);
    }

    [Theory]
    [InlineData("http://127.0.0.2:{port}/realms/m2m/protocol/openid-connect/token")]
    [InlineData("https://127.0.0.1:{port}/realms/m2m/protocol/openid-connect/token")]
    [InlineData("http://127.0.0.1:1/realms/m2m/protocol/openid-connect/token")]
    public async Task Discovery_naming_a_token_endpoint_on_another_origin_is_refused(string endpoint)
    {
        _discovery = context => context.Response.WriteAsJsonAsync(Discovery(tokenEndpoint: endpoint.Replace("{port}", _base.Port.ToString())));
        await using var client = Client();

        var error = await Assert.ThrowsAsync<TokenAcquisitionException>(() => client.Tokens.GetTokenAsync("billing", cancellationToken: Ct));

        Assert.Contains("outside the authority's origin", error.Message);
    }

    [Fact]
    public async Task Discovery_is_read_again_after_its_lifetime_not_kept_for_the_life_of_the_process()
    {
        await using var client = Client();
        await client.Tokens.GetTokenAsync("billing", "billing:read", Ct);

        client.Time.Advance(TokenEndpointClient.DiscoveryLifetime);
        await client.Tokens.GetTokenAsync("billing", "billing:write", Ct);

        Assert.Equal(2, _discoveryReads);
    }

    [Fact]
    public async Task Huge_answer_is_a_clear_TokenAcquisitionException_without_reading_it_all()
    {
        _token = context => context.Response.WriteAsync("{\"access_token\":\"" + new string('a', 1024 * 1024) + "\",\"token_type\":\"Bearer\"}");
        await using var client = Client();

        var error = await Assert.ThrowsAsync<TokenAcquisitionException>(() => client.Tokens.GetTokenAsync("billing", cancellationToken: Ct));

        Assert.Contains("more than 64 KB", error.Message);
    }

    [Theory]
    [InlineData("{\"access_token\":\"abc\",\"token_type\":")]
    [InlineData("<html>ok</html>")]
    [InlineData("[\"abc\"]")]
    [InlineData("{\"access_token\":\"abc\\r\\nX-Injected: 1\",\"token_type\":\"Bearer\"}")]
    [InlineData("{\"access_token\":\"abc def\",\"token_type\":\"Bearer\"}")]
    [InlineData("{\"access_token\":\"abc\\n\",\"token_type\":\"Bearer\"}")]
    [InlineData("{\"access_token\":42,\"token_type\":\"Bearer\"}")]
    public async Task Malformed_answer_or_a_token_that_would_break_the_header_is_a_TokenAcquisitionException(string body)
    {
        _token = context => context.Response.WriteAsync(body);
        await using var client = Client();

        var error = await Assert.ThrowsAsync<TokenAcquisitionException>(() => client.Tokens.GetTokenAsync("billing", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.OK, error.StatusCode);
        Assert.DoesNotContain("X-Injected", error.Message);
    }

    [Fact]
    public async Task Token_cache_key_names_the_authority_so_another_IdP_never_gets_this_ones_token()
    {
        await using var first = Client();
        await using var second = Client(authority: "http://127.0.0.1:1/realms/m2m");

        Assert.NotEqual(first.Tokens.CacheKey("billing", "billing:read"), second.Tokens.CacheKey("billing", "billing:read"));
        Assert.Contains(Authority, first.Tokens.CacheKey("billing", "billing:read"));
    }

    private object Discovery(string? issuer = null, string? tokenEndpoint = null) => new
    {
        issuer = issuer ?? Authority,
        token_endpoint = tokenEndpoint ?? $"{Authority}/protocol/openid-connect/token",
    };

    private Task Redirect(HttpContext context, HttpStatusCode status)
    {
        context.Response.StatusCode = (int)status;
        context.Response.Headers.Location = $"{_base}steal";
        return Task.CompletedTask;
    }

    private TokenClientUnderTest Client(string? authority = null) => new(authority ?? Authority);

    /// <summary>Token client <c>billing</c> composed as a service composes it (default HTTP handler chain), with a fake clock.</summary>
    private sealed class TokenClientUnderTest : IAsyncDisposable
    {
        private readonly ServiceProvider _services;

        public TokenClientUnderTest(string authority)
        {
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["TokenClient:billing:Authority"] = authority,
                ["TokenClient:billing:ClientId"] = "payments-service",
                ["TokenClient:billing:ClientSecret"] = "secret-that-must-not-travel",
            }).Build());
            services.AddSingleton<TimeProvider>(Time);
            services.AddSingleton<IHostEnvironment>(new DevelopmentEnvironment());
            services.AddLogging();
            services.AddMetrics();
            services.AddTokenClient("billing");
            _services = services.BuildServiceProvider();
        }

        public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

        public ClientCredentialsTokenManager Tokens => _services.GetRequiredService<ClientCredentialsTokenManager>();

        public ValueTask DisposeAsync() => _services.DisposeAsync();
    }
}
