using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TestSupport;

/// <summary>
/// Calls EmbeddedIdp's development-only signing-key admin API (<c>/admin/realms/m2m/keys</c>) on a running instance,
/// wherever it runs: the test fixture, or the AppHost's <c>idp</c> resource. Keycloak's counterpart is its admin REST API.
/// </summary>
public static class SigningKeyAdmin
{
    private const string Keys = "admin/realms/m2m/keys";

    /// <summary>Makes a new key active (the previous one keeps verifying); returns the new active key id.</summary>
    public static async Task<string> RotateAsync(HttpClient http, Uri baseAddress, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsync(new Uri(baseAddress, $"{Keys}/rotate"), content: null, cancellationToken);
        response.EnsureSuccessStatusCode();
        return ActiveKid(await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken));
    }

    /// <summary>Stops publishing a passive key; tokens it signed stop verifying. Throws when the key is active or unknown.</summary>
    public static async Task WithdrawAsync(HttpClient http, Uri baseAddress, string kid, CancellationToken cancellationToken = default)
    {
        using var response = await http.DeleteAsync(new Uri(baseAddress, $"{Keys}/{Uri.EscapeDataString(kid)}"), cancellationToken);
        if (response.StatusCode != HttpStatusCode.NoContent)
        {
            throw new HttpRequestException(
                $"Withdrawing key '{kid}' failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    /// <summary>The key id that signs new tokens now.</summary>
    public static async Task<string> ActiveKidAsync(HttpClient http, Uri baseAddress, CancellationToken cancellationToken = default) =>
        ActiveKid(await http.GetFromJsonAsync<JsonElement>(new Uri(baseAddress, Keys), cancellationToken));

    private static string ActiveKid(JsonElement keys) => keys.GetProperty("active").GetProperty("RS256").GetString()!;
}
