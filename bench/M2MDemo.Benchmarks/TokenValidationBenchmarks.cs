using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace M2MDemo.Benchmarks;

/// <summary>
/// Measurement 1: what validating one Keycloak-shaped RS256 access token costs with the resource-server
/// configuration Billing.Api and Payments.Api use (built by the real <c>AddResourceServer()</c>), next to the
/// floor every validator pays: one bare RSA-2048 signature check. Signing keys come from a static OpenID
/// configuration instead of the IdP's JWKS, so no network is involved.
/// </summary>
[MemoryDiagnoser]
public class TokenValidationBenchmarks
{
    private const string Issuer = "https://idp.example/realms/m2m";

    /// <summary>In-process and short: the whole suite runs in about a minute on 2 cores.</summary>
    public static readonly IConfig Config = DefaultConfig.Instance
        .AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(3)
            .WithIterationCount(8)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250)))
        .AddDiagnoser(MemoryDiagnoser.Default)
        .WithOptions(ConfigOptions.DisableLogFile);

    private readonly RSA _rsa = RSA.Create(2048);
    private byte[] _signedPart = [];
    private byte[] _signature = [];
    private string _token = "";
    private JsonWebTokenHandler _library = null!;
    private TokenHandler _handlerWithoutCache = null!;
    private TokenHandler _handlerWithCache = null!;
    private TokenValidationParameters _parameters = null!;
    private IServiceProvider _servicesWithoutCache = null!;
    private IServiceProvider _servicesWithCache = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var signingKey = new RsaSecurityKey(_rsa) { KeyId = Guid.NewGuid().ToString("N") };
        _token = KeycloakShapedToken(signingKey);

        var parts = _token.Split('.');
        _signedPart = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
        _signature = Base64UrlEncoder.DecodeBytes(parts[2]);

        // What JwtBearer reads from the IdP's discovery document and JWKS.
        var configuration = new OpenIdConnectConfiguration { Issuer = Issuer };
        configuration.SigningKeys.Add(JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = signingKey.KeyId }));

        _servicesWithoutCache = ResourceServer(configuration, tokenCacheSize: 0);
        _servicesWithCache = ResourceServer(configuration, tokenCacheSize: 10_000);
        var withoutCache = BearerOptions(_servicesWithoutCache);
        _handlerWithoutCache = withoutCache.TokenHandlers.Single();
        _handlerWithCache = BearerOptions(_servicesWithCache).TokenHandlers.Single();

        // As JwtBearerHandler does per request: its parameters plus the configuration manager that holds issuer and keys.
        _parameters = withoutCache.TokenValidationParameters.Clone();
        _parameters.ConfigurationManager = (BaseConfigurationManager)withoutCache.ConfigurationManager!;
        _library = new JsonWebTokenHandler { MapInboundClaims = false };

        // Every benchmark must measure the success path: a configuration that rejects the token fails here, loudly.
        if (!RsaSignatureCheck())
        {
            throw new InvalidOperationException("The bare signature check failed.");
        }

        await JsonWebTokenHandlerAlone();
        await ResourceServerHandler();
        await ResourceServerHandlerCached();
        await JwtBearerRequest();
        await JwtBearerRequestCached();
    }

    [Benchmark(Baseline = true, Description = "RSA-2048 signature check alone (floor)")]
    public bool RsaSignatureCheck() => _rsa.VerifyData(_signedPart, _signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    [Benchmark(Description = "JsonWebTokenHandler, our parameters")]
    public async Task<ClaimsIdentity> JsonWebTokenHandlerAlone() => Identity(await _library.ValidateTokenAsync(_token, _parameters));

    [Benchmark(Description = "ResourceServerTokenHandler, cache off")]
    public async Task<ClaimsIdentity> ResourceServerHandler() => Identity(await _handlerWithoutCache.ValidateTokenAsync(_token, _parameters));

    [Benchmark(Description = "ResourceServerTokenHandler, cache hit")]
    public async Task<ClaimsIdentity> ResourceServerHandlerCached() => Identity(await _handlerWithCache.ValidateTokenAsync(_token, _parameters));

    [Benchmark(Description = "JwtBearer AuthenticateAsync per request, cache off")]
    public Task<ClaimsPrincipal> JwtBearerRequest() => AuthenticateAsync(_servicesWithoutCache);

    [Benchmark(Description = "JwtBearer AuthenticateAsync per request, cache hit")]
    public Task<ClaimsPrincipal> JwtBearerRequestCached() => AuthenticateAsync(_servicesWithCache);

    [GlobalCleanup]
    public void Cleanup()
    {
        (_servicesWithoutCache as IDisposable)?.Dispose();
        (_servicesWithCache as IDisposable)?.Dispose();
        _rsa.Dispose();
    }

    /// <summary>What a request pays in ASP.NET Core: a request scope, the JwtBearer handler, validation, the principal.</summary>
    private async Task<ClaimsPrincipal> AuthenticateAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Headers.Authorization = "Bearer " + _token;
        var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        return result.Succeeded ? result.Principal : throw new InvalidOperationException("Rejected: " + result.Failure?.Message);
    }

    // JwtBearer reads the identity of every validated token, so each benchmark does too.
    private static ClaimsIdentity Identity(TokenValidationResult result) =>
        result.IsValid ? result.ClaimsIdentity : throw new InvalidOperationException("Rejected: " + result.Exception?.Message);

    /// <summary>The services of a resource server for audience billing-api, as Billing.Api's configuration builds them.</summary>
    private static ServiceProvider ResourceServer(OpenIdConnectConfiguration configuration, int tokenCacheSize)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = Environments.Production });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ResourceServer:Authority"] = Issuer,
            ["ResourceServer:Audience"] = "billing-api",
            ["ResourceServer:TokenCacheSize"] = tokenCacheSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.AddResourceServer();
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme,
            options => options.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration));
        return builder.Services.BuildServiceProvider();
    }

    private static JwtBearerOptions BearerOptions(IServiceProvider services) =>
        services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);

    /// <summary>A Keycloak 26 client-credentials access token of payments-service for billing:read, header and claims as Keycloak writes them.</summary>
    private static string KeycloakShapedToken(RsaSecurityKey key)
    {
        var now = DateTimeOffset.UtcNow;
        var payload = $$$"""
            {"exp":{{{now.AddHours(1).ToUnixTimeSeconds()}}},"iat":{{{now.ToUnixTimeSeconds()}}},"jti":"trrtcc:{{{Guid.NewGuid()}}}",
             "iss":"{{{Issuer}}}","aud":"billing-api","sub":"{{{Guid.NewGuid()}}}","typ":"Bearer","azp":"payments-service","acr":"1",
             "allowed-origins":["/*"],"realm_access":{"roles":["offline_access","uma_authorization","default-roles-m2m"]},
             "resource_access":{"account":{"roles":["manage-account","view-profile"]}},"scope":"billing:read",
             "clientHost":"127.0.0.1","preferred_username":"service-account-payments-service","clientAddress":"127.0.0.1",
             "client_id":"payments-service"}
            """;
        return new JsonWebTokenHandler().CreateToken(payload, new SigningCredentials(key, SecurityAlgorithms.RsaSha256));
    }
}
