using WorkloadFederation.Gateway.Bootstrap;
using WorkloadFederation.Gateway.Options;

namespace WorkloadFederation.Gateway.Tests.Bootstrap;

public sealed class DataDirectoryTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "wif-dd-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void LoadOrCreateKek_EmptyDir_GeneratesOwnerOnlyFileAndReusesIt()
    {
        var first = DataDirectory.LoadOrCreateKek(new KeyOptions(), _dir);
        var second = DataDirectory.LoadOrCreateKek(new KeyOptions(), _dir);

        Assert.Equal(32, first.Length);
        Assert.Equal(first, second);
        var path = Path.Combine(_dir, DataDirectory.KekFileName);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void LoadOrCreateKek_ConfiguredKey_WinsOverFile()
    {
        var key = new byte[32];
        key[0] = 7;

        var kek = DataDirectory.LoadOrCreateKek(new KeyOptions { KeyEncryptionKey = Convert.ToBase64String(key) }, _dir);

        Assert.Equal(key, kek);
        Assert.False(File.Exists(Path.Combine(_dir, DataDirectory.KekFileName)));
    }

    [Fact]
    public void WriteBootstrapAdmin_WritesSnakeCaseOwnerOnly()
    {
        var path = DataDirectory.WriteBootstrapAdmin(_dir, new BootstrapAdmin("localhost", "a-b-00001@localhost/spc", "secret-token:x"));

        var text = File.ReadAllText(path);
        Assert.Contains("\"client_id\":\"a-b-00001@localhost/spc\"", text, StringComparison.Ordinal);
        Assert.Contains("\"client_secret\":", text, StringComparison.Ordinal);
        Assert.Contains("\"tenant\":\"localhost\"", text, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }
}
