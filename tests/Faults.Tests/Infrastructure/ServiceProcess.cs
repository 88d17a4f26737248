using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Faults.Tests.Infrastructure;

/// <summary>
/// One service as a real process (<c>dotnet Service.dll</c>) on a port it picks itself, its console captured line by
/// line. <see cref="KillAsync"/> is a kill, not a shutdown: no stopping hooks run, as when a host dies.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);

    private readonly Process _process;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public Uri Address { get; private set; } = null!;

    /// <summary>Starts the service and waits (bounded) until it listens and <c>/health</c> answers 200.</summary>
    public static async Task<ServiceProcess> StartAsync(
        string name, string project, IReadOnlyDictionary<string, string> environment, LogCapture capture, CancellationToken cancellationToken)
    {
        var dll = Repository.OutputOf(project);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        start.Environment["OTEL_SERVICE_NAME"] = name;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(name, process);
        process.OutputDataReceived += (_, e) => service.OnLine(e.Data, capture);
        process.ErrorDataReceived += (_, e) => service.OnLine(e.Data, capture);
        process.Exited += (_, _) => service._listening.TrySetException(
            new InvalidOperationException($"{name} exited with code {process.ExitCode} before it listened; see its captured output."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            service.Address = await service._listening.Task.WaitAsync(timeout.Token);
            await service.WaitHealthyAsync(timeout.Token);
            return service;
        }
        catch
        {
            await service.KillAsync();
            throw;
        }
    }

    /// <summary>Kills the process and everything it started, and waits (bounded) until it is gone.</summary>
    public async Task KillAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (InvalidOperationException)
        {
            // Never started, or already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void OnLine(string? line, LogCapture capture)
    {
        if (line is null)
        {
            return;
        }

        capture.AddLine(Name, line);
        if (ListeningOn().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    private async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(10) };
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("/health", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not answering yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // One slow probe; the next one may answer.
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    [GeneratedRegex(@"Now listening on: (http://[^\s]+)")]
    private static partial Regex ListeningOn();
}
