import RoostCore
import Testing

@Suite("Image sizes")
struct ImageSizeTests {
    @Test func pngGifAndJpegHeaders() {
        let png = ImageSize.of(Array(TestImages.png(width: 3, height: 2)))
        #expect(png?.width == 3 && png?.height == 2)
        let gif = ImageSize.of(Array("GIF89a".utf8) + [0x40, 0x01, 0xF0, 0x00, 0, 0, 0])
        #expect(gif?.width == 320 && gif?.height == 240)
        let jpeg = ImageSize.of(TestImages.jpegHeader(width: 1024, height: 768))
        #expect(jpeg?.width == 1024 && jpeg?.height == 768)
    }

    @Test func anythingElseHasNoSize() {
        #expect(ImageSize.of([]) == nil)
        #expect(ImageSize.of(Array("hello, world, this is text".utf8)) == nil)
        #expect(ImageSize.of(Array(TestImages.jpegHeader(width: 10, height: 10).prefix(20))) == nil, "truncated")
        #expect(ImageSize.of([0xFF, 0xD8, 0xFF, 0xDA, 0, 2]) == nil, "scan before a frame header")
    }
}
