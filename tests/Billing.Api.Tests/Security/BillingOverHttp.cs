using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Billing.Api.Tests.Security;

/// <summary>
/// The real Billing.Api on Kestrel (a loopback port), validating against a real IdP, with nothing test-only added but
/// its clock: the test moves time forward instead of waiting. No test keys are trusted here.
/// </summary>
public sealed class BillingOverHttp : WebApplicationFactory<EntryPoint>
{
    private readonly string _authority;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("billing-security-").FullName;

    private BillingOverHttp(string authority, IReadOnlyDictionary<string, string?> settings)
    {
        _authority = authority;
        _settings = settings;
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public Uri BaseAddress { get; private set; } = null!;

    public static BillingOverHttp Start(string authority, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var host = new BillingOverHttp(authority, settings ?? new Dictionary<string, string?>());
        host.UseKestrel(0);
        host.StartServer();
        var address = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host.BaseAddress = new UriBuilder(address) { Host = "127.0.0.1", Path = "/" }.Uri;
        return host;
    }

    /// <summary>A client that really goes over TCP, sending header values as UTF-8 (any bytes a caller could send).</summary>
    public HttpClient CreateHttpClient() => new(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 })
    {
        BaseAddress = BaseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ResourceServer:Authority", _authority);
        builder.UseSetting("ResourceServer:Audience", "billing-api");
        builder.UseSetting("ConnectionStrings:billing-db", $"Data Source={Path.Combine(_dataDirectory, "billing.db")}");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Time));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
